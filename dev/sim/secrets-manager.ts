import { SimServer, type SimRequest, type SimResponse } from "./server.js";

/**
 * A local endpoint speaking the Secrets Manager JSON 1.1 protocol (GetSecretValue), so the real
 * AWS SDK runs against it via AWS_ENDPOINT_URL_SECRETS_MANAGER. Tests rotate a value with put().
 */
export class SecretsManagerSim extends SimServer {
  readonly secrets = new Map<string, { value: string; version: number }>();
  reads = 0;

  constructor(initial: Record<string, unknown> = {}) {
    super(
      "secretsmanager",
      (req) => this.handle(req),
      () => ({ secrets: [...this.secrets.keys()], reads: this.reads }),
    );
    for (const [id, value] of Object.entries(initial)) this.put(id, value);
  }

  put(id: string, value: unknown): void {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const version = (this.secrets.get(id)?.version ?? 0) + 1;
    this.secrets.set(id, { value: text, version });
  }

  private handle(req: SimRequest): SimResponse {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (req.method !== "POST" || !target.startsWith("secretsmanager.")) {
      return awsError(400, "UnknownOperationException", "not a Secrets Manager JSON 1.1 request");
    }
    // The SDK signs with SigV4: a request without it is not what the SDK sends.
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ")) {
      return awsError(400, "MissingAuthenticationTokenException", "missing SigV4 Authorization header");
    }
    let input: { SecretId?: string; SecretString?: string };
    try {
      input = JSON.parse(req.body || "{}");
    } catch {
      return awsError(400, "SerializationException", "body is not JSON");
    }
    const op = target.slice("secretsmanager.".length);
    const id = input.SecretId ?? "";
    if (op === "GetSecretValue") {
      this.reads++;
      const secret = this.secrets.get(id);
      if (!secret) return awsError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
      return {
        status: 200,
        body: {
          ARN: `arn:aws:secretsmanager:ap-northeast-2:000000000000:secret:${id}-AbCdEf`,
          Name: id,
          SecretString: secret.value,
          VersionId: `v${secret.version}`,
          VersionStages: ["AWSCURRENT"],
          CreatedDate: Math.floor(Date.now() / 1000),
        },
      };
    }
    return awsError(400, "UnknownOperationException", `operation ${op} is not simulated`);
  }
}

function awsError(status: number, type: string, message: string): SimResponse {
  return { status, body: { __type: type, message }, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type } };
}

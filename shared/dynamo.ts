import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ImageOpsError } from "./model/errors.js";

/**
 * The one way the product talks to its DynamoDB table (operation records, the audit's memory):
 * bounded retries and a request timeout, undefined fields dropped; `config` gives the endpoint
 * and credentials when they do not come from the environment (local tools).
 */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3, requestHandler: { requestTimeout: 3_000 }, ...config }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** A store on the product's table: its document client made on first use, with `config` when not from the environment (local tools). */
export abstract class DynamoTable {
  private client?: DynamoDBDocumentClient;
  constructor(
    protected readonly table: string,
    private readonly config: DynamoDBClientConfig = {},
  ) {}

  protected db(): DynamoDBDocumentClient {
    this.client ??= documentClient(this.config);
    return this.client;
  }
}

/** Another writer won: the condition of a conditional write did not hold. */
export const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === "ConditionalCheckFailedException";

/** DynamoDB could not be reached or refused the call: what was being done, and the SDK's error name. */
export function dynamoUnavailable(what: string, err: unknown): ImageOpsError {
  return new ImageOpsError("INTERNAL", `${what} in DynamoDB (${(err as Error)?.name ?? "error"})`, { cause: err });
}

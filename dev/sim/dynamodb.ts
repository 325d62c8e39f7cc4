/**
 * A real DynamoDB implementation on 127.0.0.1 (dynalite, in memory) with the operations table
 * created from the very definition serverless.yml deploys, so the product's conditional writes
 * run against DynamoDB semantics, through the real AWS SDK.
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoOperationStore } from "../../shared/operations/store.js";
import dynalite from "dynalite";
import { parse as parseYaml } from "yaml";

interface TableDefinition {
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  KeySchema: Array<{ AttributeName: string; KeyType: string }>;
  BillingMode: string;
}

/** OperationsTable's key schema and billing mode from serverless.yml (CreateTable takes these; TTL and PITR are table settings dynalite lacks). */
export function operationsTableDefinition(): TableDefinition {
  // osls variables (${self:…}) are not YAML tags: the file parses as plain YAML
  const doc = parseYaml(readFileSync(new URL("../../serverless.yml", import.meta.url), "utf8")) as {
    resources: Array<{ Resources?: { OperationsTable?: { Properties: TableDefinition } } | string }>;
  };
  const table = doc.resources.map((r) => (typeof r.Resources === "object" ? r.Resources.OperationsTable : undefined)).find(Boolean);
  if (!table) throw new Error("serverless.yml defines no OperationsTable");
  const { AttributeDefinitions, KeySchema, BillingMode } = table.Properties;
  return { AttributeDefinitions, KeySchema, BillingMode };
}

export class DynamoSim {
  private server?: Server;
  url = "";
  constructor(readonly tableName = "imageops-local-operations") {}

  async start(): Promise<string> {
    this.server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(0, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const client = new DynamoDBClient(this.clientConfig());
    await client.send(new CreateTableCommand({ TableName: this.tableName, ...operationsTableDefinition() } as never));
    client.destroy();
    return this.url;
  }

  clientConfig() {
    return {
      endpoint: this.url,
      region: "ap-northeast-2",
      credentials: { accessKeyId: "AKIALOCALSIMS0000000", secretAccessKey: "local-sims-not-a-secret" },
    };
  }

  /** The product's store on this table, for tests that call shared/ directly. */
  store(): DynamoOperationStore {
    return new DynamoOperationStore(this.tableName, this.clientConfig());
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import { lambdaHandler } from "../../shared/events.js";
import { DescribeOperationInput } from "../../shared/model/inputs.js";
import { describeOperation } from "../../shared/operations/describe.js";
import { operationStore } from "../../shared/operations/store.js";

/** The state, image, timings and end reason of one create or delete operation, by its id. */
export const handler = lambdaHandler({
  name: "describe-operation",
  schema: DescribeOperationInput,
  methods: ["GET", "POST"],
  run: async (input) => ({ body: { operation: await describeOperation(operationStore(), input.operation) } }),
});

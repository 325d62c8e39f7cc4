import { lambdaHandler } from "../../shared/events.js";
import { describeImage } from "../../shared/images/describe.js";
import { DescribeImageInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";

export const handler = lambdaHandler({
  name: "describe-image",
  schema: DescribeImageInput,
  methods: ["GET", "POST"],
  run: async (input, context) => ({ body: await describeImage(lambdaRuntime(context), input) }),
});

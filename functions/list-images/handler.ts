import { lambdaHandler } from "../../shared/events.js";
import { listImages } from "../../shared/images/list.js";
import { ListImagesInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";

export const handler = lambdaHandler({
  name: "list-images",
  schema: ListImagesInput,
  methods: ["GET", "POST"],
  run: async (input, context) => ({ body: await listImages(lambdaRuntime(context), input) }),
});

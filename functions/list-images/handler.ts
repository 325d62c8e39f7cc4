import { type Answer, lambdaHandler } from "../../shared/events.js";
import { type ListOutput, listImages } from "../../shared/images/list.js";
import { listServers, type ServersOutput } from "../../shared/images/servers.js";
import { invalidArgument } from "../../shared/model/errors.js";
import { ListImagesInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";

/** Images across the clouds; with `resource: servers`, the servers an image can be made from. */
export const handler = lambdaHandler({
  name: "list-images",
  schema: ListImagesInput,
  methods: ["GET", "POST"],
  run: async ({ resource, ...input }, context): Promise<Answer<ListOutput | ServersOutput>> => {
    if (resource === "images") return { body: await listImages(lambdaRuntime(context), input) };
    const { provider, account, region, name, ...rest } = input;
    // an image filter given for servers would be silently ignored: it is refused, named
    const imageOnly =
      (["os", "status", "cursor"] as const).find((f) => rest[f] !== undefined) ?? (rest.scope !== "all" ? "scope" : undefined);
    if (imageOnly) throw invalidArgument(imageOnly, "applies to images; servers take provider, account, region and name");
    return { body: await listServers(lambdaRuntime(context), { provider, account, region, name }) };
  },
});

import type { APIGatewayProxyResultV2 } from "aws-lambda";

/** Shell: the Slack bot is not built yet; Slack is told so instead of timing out. */
export const handler = async (): Promise<APIGatewayProxyResultV2> => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ response_type: "ephemeral", text: "The imageops Slack bot is not available yet." }),
});

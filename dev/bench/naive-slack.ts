/**
 * Slack baseline (figure 2): the Bolt-on-Lambda app as its README shows it — an App on an
 * AwsLambdaReceiver that acks `/images` — bundled by dev/bench.ts with esbuild's defaults
 * (bundle: true, platform: node, no minify, no aliasing) into dist/bench/naive-slack/index.cjs.
 * Only imported (load time) by the benchmark, never invoked.
 */
import { App, AwsLambdaReceiver } from "@slack/bolt";

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "bench-signing-secret" });

const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? "xoxb-bench",
  receiver,
  // nothing may leave 127.0.0.1, even by accident
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? "http://127.0.0.1:9/api/" },
});

app.command("/images", async ({ ack }) => {
  await ack("Looking up images…");
});

export const handler = async (event: unknown, context: unknown) => {
  const h = await receiver.start();
  return h(event as never, context);
};

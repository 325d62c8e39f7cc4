/**
 * Business metrics in CloudWatch's embedded metric format (EMF) through Powertools Metrics: one
 * EMF line per data point, each with its own dimensions, so nothing has to be flushed at the end
 * of an invocation. Namespace `imageops`.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

let metrics: Metrics | undefined;

export type MetricName =
  | "ImagesCreated"
  | "ImagesFailed"
  | "TimeToAvailable"
  | "ProviderErrors"
  | "AuditFindings"
  | "ImagesDeleted"
  | "PolicyRuns";

export function metric(name: MetricName, dimensions: Record<string, string>, value = 1, unit: "Count" | "Seconds" = "Count"): void {
  metrics ??= new Metrics({ namespace: "imageops", serviceName: "imageops" });
  const one = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) one.addDimension(k, v);
  one.addMetric(name, unit === "Seconds" ? MetricUnit.Seconds : MetricUnit.Count, value);
}

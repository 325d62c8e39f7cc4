// What reaches an operator when something fails, as CloudFormation resources generated from the
// functions serverless.yml declares (one alarm pair per function cannot drift from the list):
// - CloudWatch alarms on each function's Errors and Throttles, on the failed-jobs queue's depth,
//   and on the tracking state machine's failed and timed-out executions;
// - an EventBridge rule on tracking executions that end FAILED, TIMED_OUT or ABORTED;
// all notifying one SNS topic: the `alarmTopicArn` parameter, or a topic created here.
// Loaded by osls as `${file(infra/operator.cjs)}` (a .cjs file whose function osls calls).
"use strict";

const { logicalId } = require("./functions.cjs");

/** One alarm: any datapoint above 0 in a 5-minute period notifies the topic. */
function alarm(TOPIC, description, metric) {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmDescription: description,
      Namespace: metric.namespace,
      MetricName: metric.name,
      Dimensions: metric.dimensions,
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    },
  };
}

/**
 * What a failed tracking execution's alarm says: the operation, its image and cloud and the reason —
 * never the whole event, whose `detail.input` is the execution's input (where a Slack progress
 * target is named). The fields are the Step Functions status-change event's `detail`
 * (executionArn, name, status, error, cause…: https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html);
 * an execution's name is its operation's id (`-tN` for a restarted run), and the state machine's
 * Fail states give the image, the cloud and the reason as the Cause (infra/state-machine.asl.json).
 * Placeholders inside quotes are inserted as strings
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */
const TRACKING_ALARM = {
  InputPathsMap: {
    execution: "$.detail.name",
    status: "$.detail.status",
    error: "$.detail.error",
    cause: "$.detail.cause",
    executionArn: "$.detail.executionArn",
    time: "$.time",
  },
  InputTemplate: JSON.stringify({
    alarm: "imageops: a tracking execution ended <status>",
    operation: "<execution>",
    status: "<status>",
    error: "<error>",
    cause: "<cause>",
    execution: "<executionArn>",
    time: "<time>",
    next: "describe-operation <execution> (without a -tN suffix) says what the operation record holds; the image may still be changing",
  }),
};

module.exports = async ({ resolveConfigurationProperty, resolveVariable }) => {
  const functions = Object.keys((await resolveConfigurationProperty(["functions"])) || {});
  const given = await resolveVariable("param:alarmTopicArn");
  // What names the topic: the given one; else the one created here, under its condition
  // (CreateAlarmTopic: no topic given), and nothing (AWS::NoValue) in the branch that condition rules
  // out, so no branch holds an empty ARN (cfn-lint E3033) or a target without one (E3003).
  const onTopic = (value) =>
    given ? value(given) : { "Fn::If": ["CreateAlarmTopic", value({ Ref: "AlarmTopic" }), { Ref: "AWS::NoValue" }] };
  const TOPIC = onTopic((arn) => arn);
  const topicName = `${await resolveVariable("self:service")}-${await resolveVariable("sls:stage")}-alarms`;
  const Resources = {
    AlarmTopic: {
      Type: "AWS::SNS::Topic",
      Condition: "CreateAlarmTopic",
      Properties: { TopicName: topicName },
    },
    AlarmTopicPolicy: {
      Type: "AWS::SNS::TopicPolicy",
      Condition: "CreateAlarmTopic",
      Properties: {
        Topics: [{ Ref: "AlarmTopic" }],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              // the tracking-failure rule publishes here; CloudWatch alarms need no topic policy
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sns:Publish",
              Resource: { Ref: "AlarmTopic" },
              Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": ["TrackingFailedRule", "Arn"] } } },
            },
          ],
        },
      },
    },
    TrackingFailedRule: {
      Type: "AWS::Events::Rule",
      Properties: {
        Description: "A tracking execution ended FAILED, TIMED_OUT or ABORTED",
        State: "ENABLED",
        EventPattern: {
          source: ["aws.states"],
          "detail-type": ["Step Functions Execution Status Change"],
          detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [{ Ref: "TrackImageStateMachine" }] },
        },
        Targets: onTopic((arn) => [{ Id: "alarm-topic", Arn: arn, InputTransformer: TRACKING_ALARM }]),
      },
    },
    FailedJobsQueueDepthAlarm: alarm(TOPIC, "An asynchronous job (Slack job, scheduled audit) failed and is in the failed-jobs queue", {
      namespace: "AWS/SQS",
      name: "ApproximateNumberOfMessagesVisible",
      dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["FailedJobsQueue", "QueueName"] } }],
    }),
  };
  for (const [metric, what] of [
    ["ExecutionsFailed", "failed"],
    ["ExecutionsTimedOut", "timed out"],
  ]) {
    Resources[`TrackImageStateMachine${metric}Alarm`] = alarm(TOPIC, `A tracking execution ${what}`, {
      namespace: "AWS/States",
      name: metric,
      dimensions: [{ Name: "StateMachineArn", Value: { Ref: "TrackImageStateMachine" } }],
    });
  }
  for (const fn of functions) {
    for (const metric of ["Errors", "Throttles"]) {
      Resources[`${logicalId(fn).replace(/LambdaFunction$/, "")}${metric}Alarm`] = alarm(TOPIC, `${fn}: ${metric.toLowerCase()}`, {
        namespace: "AWS/Lambda",
        name: metric,
        dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(fn) } }],
      });
    }
  }
  return Resources;
};

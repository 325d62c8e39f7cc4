// The examples of policies.yaml that do not run in the stage being packaged (infra/policies.cjs
// ships their schedules DISABLED), comma-separated: run-policy's POLICIES_DISABLED, so its list says
// what the schedules do and it refuses to run them. Loaded by osls as `${file(infra/policy-examples.cjs)}`
// (osls calls a file's exported function; a property of it would be looked up in what it returns).
"use strict";

const { loadPolicies, policySchedules } = require("./policies.cjs");

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable("self:service");
  const stage = await resolveVariable("sls:stage");
  return policySchedules(loadPolicies(), { service, stage }).examples.join(",");
};

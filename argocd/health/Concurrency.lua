-- Argo CD health check for Concurrency (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/Concurrency.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; or Ready=False with a
--                reason the operator retries by itself (the function does not exist yet, throttling, AWS errors)
--   Degraded     Ready=False with a reason that needs a change by someone: the request does not fit the
--                account's unreserved pool, another Concurrency manages the same function, IAM, the spec
--   Healthy      Ready=True for the current generation: the reservation is applied in AWS
--
-- Reasons as the operator writes them (src/main/java/dev/lambdaop/concurrency, dev/lambdaop/aws/sdk/AwsErrors.java).
local terminal = {
  InsufficientUnreservedConcurrency = true,  -- the request would leave less than the unreserved minimum; the
                                             -- message gives the largest value allowed now
  DuplicateConcurrency = true, -- another Concurrency manages the same function (re-checked, but only deleting
                               -- one of the two ends it)
  OwnedElsewhere = true,       -- the function is owned by another namespace or cluster, or another cluster
                               -- records its reservation (re-checked, but only its owner can end it)
  InvalidParameter = true,     -- AWS refused the request (validation); the message is AWS's
  AccessDenied = true,         -- the operator's IAM identity lacks the permission the message names
  CodeStorageExceeded = true,  -- the account's code storage is full
  NotFound = true,             -- a referenced AWS object does not exist
  FunctionNameNotAllowed = true, -- a function named by functionName lacks the namespace's prefix (Namespace
                                 -- annotation; re-checked, but an administrator or the spec must change)
  NamespacePolicyMissing = true, -- the operator requires a namespace policy and the Namespace has none
  AccountMappingInvalid = true, -- the Namespace's lambdaop.dev/aws-role-arn or aws-region annotation is malformed
  AccountMappingMissing = true, -- the operator requires an account mapping and the Namespace has none
  AccountChanged = true,       -- the Namespace now maps to another AWS account than the one the resource lives in
}
-- RoleNotAllowed (the namespace's policy refuses an execution role) is a LambdaFunction's only.
-- Retried by the operator, so Progressing: Conflict (AWS ResourceConflictException), FunctionNotFound (waits for the LambdaFunction to create the function),
-- Throttled, AwsServiceError, AwsUnreachable, AwsError, InvalidCredentials, RoleNotAssumable, AccountRoleNotAssumable, CodeNotFound, IOError,
-- Interrupted, InternalError.

-- tableOrNil, findCondition, describe, generationHealth and readyHealth: argocd/health/_shared.lua.
local decided, _, ready = generationHealth(terminal, "reservation")
if decided ~= nil then
  return decided
end
return readyHealth(ready)

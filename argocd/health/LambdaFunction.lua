-- Argo CD health check for LambdaFunction (lambdaop.dev/v1alpha1), shipped with lambda-operator.
-- Source of truth: argocd/health/LambdaFunction.lua; argocd/argocd-cm.yaml is generated from it.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) with the live resource in the global `obj` and without the string
-- library (no string functions are used here). It never fails on a missing field.
--
--   Progressing  no status yet; the operator has not observed metadata.generation yet; or Ready=False with a
--                reason the operator retries by itself (throttling, AWS errors, a Secret that does not exist yet,
--                an update AWS is still applying)
--   Degraded     Ready=False with a reason the operator does not retry until something changes (the spec, a
--                referenced Secret or ConfigMap value, IAM, the AWS account)
--   Healthy      Ready=True for the current generation
--
-- Reasons as the operator writes them (src/main/java/dev/lambdaop/function, dev/lambdaop/aws/sdk/AwsErrors.java).
-- Terminal: not retried until the spec changes (status.rejectedSpecDigest then holds the refused spec).
local terminal = {
  InvalidParameter = true,     -- AWS refused the request (validation); the message is AWS's
  AccessDenied = true,         -- the operator's IAM identity lacks the permission the message names
  CodeStorageExceeded = true,  -- the account's code storage is full
  NotFound = true,             -- a referenced AWS object (a layer version, ...) does not exist
  UpdateNotApplied = true,     -- AWS accepted an update but reports other values
  InvalidSpec = true,          -- the spec cannot be applied as written
  EnvironmentTooLarge = true,  -- environment names and values exceed 4 KB after resolution
  AlreadyExists = true,        -- a function of that name exists and is not this resource's
  FunctionFailed = true,       -- AWS reports State or LastUpdateStatus Failed (looked at again every resync)
  RoleNotAllowed = true,       -- the namespace's policy (Namespace annotation) does not allow the execution role;
                               -- looked at again every resync, but an administrator or the spec must change
  FunctionNameNotAllowed = true, -- the function name lacks the namespace's prefix (Namespace annotation)
  NamespacePolicyMissing = true, -- the operator requires a namespace policy and the Namespace has none
  AccountMappingInvalid = true, -- the Namespace's lambdaop.dev/aws-role-arn or aws-region annotation is malformed
  AccountMappingMissing = true, -- the operator requires an account mapping and the Namespace has none
  AccountChanged = true,       -- the Namespace now maps to another AWS account than the one the resource lives in
  RegionChanged = true,        -- the default region (the Namespace's aws-region, else the operator's) moved away from
                               -- the one the function lives in (status.region)
}
-- Retried by the operator, so Progressing: Progressing (AWS still creating or updating), Conflict, Throttled,
-- AwsServiceError, AwsUnreachable, AwsError, InvalidCredentials, RoleNotAssumable, AccountRoleNotAssumable, CodeNotFound, SecretNotFound,
-- SecretKeyNotFound, ConfigMapNotFound, ConfigMapKeyNotFound (watched: retried when it appears),
-- DeletionWaitsForAliases, IOError, Interrupted, InternalError.

-- tableOrNil, findCondition, describe, generationHealth and readyHealth: argocd/health/_shared.lua.
local decided, _, ready = generationHealth(terminal, "function")
if decided ~= nil then
  return decided
end
return readyHealth(ready)

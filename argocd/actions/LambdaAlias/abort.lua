-- Argo CD action "abort" for LambdaAlias (lambda-operator): sends all traffic back to the stable version at once;
-- the alias becomes Degraded and stays so until the retry action (or a change of the spec).
-- Sets status.abort = true, which the operator reads and never overwrites.
-- Status only: Argo CD applies it through the status subresource; spec stays as Git has it.
local status = obj.status
if type(status) ~= "table" or status.canaryVersion == nil then
  error("no traffic shift is running: nothing to abort", 0)
end
if status.abort == true or status.phase == "Degraded" then
  error("the shift is already aborted or rolled back", 0)
end
status.abort = true
return obj

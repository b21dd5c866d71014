-- Argo CD action "retry" for LambdaAlias (lambda-operator): after an abort or an automatic rollback (alarm, error
-- rate, failed hook), starts the shift to the new version again from its first step.
-- Sets status.abort = false (the operator set it to true when it rolled back).
-- Status only: Argo CD applies it through the status subresource; spec stays as Git has it.
local status = obj.status
if type(status) ~= "table" or status.abort ~= true then
  error("nothing to retry: status.abort is not set (the alias was neither aborted nor rolled back)", 0)
end
status.abort = false
return obj

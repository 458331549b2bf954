/**
 * The environment Powertools reads when it is loaded, so imported before it. Tracer traces only
 * "in Lambda" (AWS_EXECUTION_ENV) and, through the X-Ray SDK, sends its segments over UDP to the
 * X-Ray daemon: the matrix points that at a local socket of its own (no daemon needed), set in its
 * `beforeAll`. The X-Ray SDK reads AWS_XRAY_CONTEXT_MISSING at load: without it, code that runs
 * outside a traced invocation (the matrix's concurrent cells share one process) logs an error.
 */
export const POWERTOOLS_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'matrix',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  POWERTOOLS_METRICS_NAMESPACE: 'Matrix',
}

Object.assign(process.env, POWERTOOLS_ENV)

import { createRequire } from 'node:module'
import { distEntry, isBuilt } from './packages.mjs'

/**
 * The chains measured per invocation. Every chain wraps the same trivial async handler and, except
 * `middy-default`, turns Middy's own early timeout off (`timeoutEarlyInMillis: 0`), so that each
 * row shows what its middleware adds to bare Middy. Modules load inside the factory: a process
 * loads only what it measures. The timing logger writes its record to stdout, as by default on
 * Lambda; the bench points the child's stdout at /dev/null.
 */
const RESPONSE = { statusCode: 200, body: 'ok' }
/** The handler: returns at once, or (`yields`) waits one turn of the loop so invocations overlap. */
export const makeApp = (yields) => (yields ? () => new Promise((resolve) => setImmediate(resolve, RESPONSE)) : async () => RESPONSE)
const BARE = { timeoutEarlyInMillis: 0 }
const require = createRequire(import.meta.url)

const core = async () => (await import('@middy/core')).default
const ours = (name) => import(distEntry(name))

/** Our four middlewares with the options a user would start from (README example). */
async function fourMiddlewares(timingOptions = {}) {
  const [{ timingLogger }, { gracefulTimeout }, { outboundFetchTimeout }, { remainingTimeBudget }] = await Promise.all([
    ours('timing-logger'),
    ours('graceful-timeout'),
    ours('outbound-fetch-timeout'),
    ours('remaining-time-budget'),
  ])
  return [
    timingLogger(timingOptions),
    gracefulTimeout({ reserveMs: 1000 }),
    outboundFetchTimeout({ perRequestMs: 2000 }),
    remainingTimeBudget(),
  ]
}

async function powertools() {
  const { Logger } = await import('@aws-lambda-powertools/logger')
  const { injectLambdaContext } = await import('@aws-lambda-powertools/logger/middleware')
  return { logger: new Logger({ serviceName: 'bench' }), injectLambdaContext }
}

export const CONFIGS = {
  'middy-bare': { group: 'baseline', build: async (app) => (await core())(app, BARE) },
  'middy-default': {
    group: 'alternative',
    label: "Middy's own early timeout (default timeoutEarlyInMillis: 5)",
    build: async (app) => (await core())(app),
  },
  'dazn-log-timeout': {
    group: 'alternative',
    label: '@dazn/lambda-powertools-middleware-log-timeout',
    build: async (app) => (await core())(app, BARE).use(require('@dazn/lambda-powertools-middleware-log-timeout')()),
  },
  'powertools-logger': {
    group: 'alternative',
    label: "Powertools Logger's injectLambdaContext",
    build: async (app) => {
      const { logger, injectLambdaContext } = await powertools()
      return (await core())(app, BARE).use(injectLambdaContext(logger))
    },
  },
  'powertools-logger, one line': {
    group: 'alternative',
    label: "Powertools Logger's injectLambdaContext, and one logger.info line per invocation (the nearest job to timing-logger)",
    build: async (app) => {
      const { logger, injectLambdaContext } = await powertools()
      const handler = async (event, context) => {
        const response = await app(event, context)
        logger.info('invocation done', { statusCode: response.statusCode })
        return response
      }
      return (await core())(handler, BARE).use(injectLambdaContext(logger))
    },
  },
  deadline: {
    group: 'ours',
    needs: ['deadline'],
    build: async (app) => (await core())(app, BARE).use((await ours('deadline')).deadline()),
  },
  'deadline+plugin': {
    group: 'ours',
    needs: ['deadline'],
    build: async (app) => {
      const { deadline, deadlinePlugin } = await ours('deadline')
      return (await core())(app, { ...BARE, ...deadlinePlugin() }).use(deadline())
    },
  },
  'deadline+signal': {
    group: 'ours',
    label: 'deadline, handler reads context.deadline.signal (arms the cutoff timer)',
    needs: ['deadline'],
    build: async (app) => {
      const handler = (event, context) => {
        context.deadline.signal
        return app(event, context)
      }
      return (await core())(handler, BARE).use((await ours('deadline')).deadline())
    },
  },
  'graceful-timeout': {
    group: 'ours',
    needs: ['deadline', 'graceful-timeout'],
    build: async (app) => (await core())(app, BARE).use((await ours('graceful-timeout')).gracefulTimeout({ reserveMs: 1000 })),
  },
  'graceful-timeout+plugin': {
    group: 'ours',
    label: 'graceful-timeout with its plugin (Middy early timeout at the cutoff + deadline plugin hooks), as documented',
    needs: ['deadline', 'graceful-timeout'],
    build: async (app) => {
      const graceful = (await ours('graceful-timeout')).gracefulTimeout({ reserveMs: 1000 })
      return (await core())(app, graceful.plugin).use(graceful)
    },
  },
  'outbound-fetch-timeout': {
    group: 'ours',
    needs: ['deadline', 'outbound-fetch-timeout'],
    build: async (app) =>
      (await core())(app, BARE).use((await ours('outbound-fetch-timeout')).outboundFetchTimeout({ perRequestMs: 2000 })),
  },
  'remaining-time-budget': {
    group: 'ours',
    needs: ['deadline', 'remaining-time-budget'],
    build: async (app) => (await core())(app, BARE).use((await ours('remaining-time-budget')).remainingTimeBudget()),
  },
  'timing-logger': {
    group: 'ours',
    needs: ['deadline', 'timing-logger'],
    build: async (app) => (await core())(app, BARE).use((await ours('timing-logger')).timingLogger()),
  },
  'timing-logger, sampled out': {
    group: 'ours',
    label: 'timing-logger with sampleRate 0: routine records are built but not written',
    needs: ['deadline', 'timing-logger'],
    build: async (app) => (await core())(app, BARE).use((await ours('timing-logger')).timingLogger({ sampleRate: 0 })),
  },
  'timing-logger, to a logger': {
    group: 'ours',
    label: 'timing-logger handing each record to a logger that writes nothing: the record built, no write',
    needs: ['deadline', 'timing-logger'],
    build: async (app) => (await core())(app, BARE).use((await ours('timing-logger')).timingLogger({ logger: { info() {}, warn() {} } })),
  },
  'all-four': {
    group: 'ours',
    needs: ['deadline', 'graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger'],
    build: async (app) => (await core())(app, BARE).use(await fourMiddlewares()),
  },
  'all-four+plugin, records sampled out': {
    group: 'ours',
    label: 'all four with the plugin, timing-logger at sampleRate 0: the chain without its per-invocation log line',
    needs: ['deadline', 'graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger'],
    build: async (app) => {
      const { deadlinePlugin } = await ours('deadline')
      return (await core())(app, { ...BARE, ...deadlinePlugin() }).use(await fourMiddlewares({ sampleRate: 0 }))
    },
  },
  'readme chain': {
    group: 'ours',
    label:
      "the README's chain: graceful.plugin in middy() (Middy's early timeout at the cutoff), timing-logger first, then the other three",
    needs: ['deadline', 'graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger'],
    build: async (app) => {
      const [timing, graceful, outbound, remaining] = await fourMiddlewares()
      return (await core())(app, graceful.plugin).use(timing).use(graceful).use(outbound).use(remaining)
    },
  },
  'all-four+plugin': {
    group: 'ours',
    needs: ['deadline', 'graceful-timeout', 'outbound-fetch-timeout', 'remaining-time-budget', 'timing-logger'],
    build: async (app) => {
      const { deadlinePlugin } = await ours('deadline')
      return (await core())(app, { ...BARE, ...deadlinePlugin() }).use(await fourMiddlewares())
    },
  },
}

/** Configurations whose packages are built, in table order. */
export const availableConfigs = () => Object.keys(CONFIGS).filter((name) => (CONFIGS[name].needs ?? []).every(isBuilt))

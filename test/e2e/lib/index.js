// @ts-check
'use strict';
/**
 * The real-n8n test harness (plain CommonJS so it runs unbuilt under Node 20 and the runtime's Node 24).
 * Types for TypeScript tests: index.d.ts next to this file.
 *   paths        REPO_ROOT, RUNTIME_DIR, NODE_BIN, N8N_BIN, runtimeInstalled(), packageBuildState(), n8nVersion()
 *   process      runProcess, runChecked, startProcess, freePort, freePorts
 *   packInstall  packPackage, installTarball, packAndInstall (the way n8n installs a community package)
 *   n8nCli       createN8nEnv / n8nEnv (import credentials + workflows, execute, executeBatch), parseExecutionOutput
 *   n8nServer    startN8n (n8n start, owner + cookie, REST helpers)
 *   queueStack   startQueueStack (queue mode: private Redis + Postgres, main + workers), stopAllQueueStacks
 */
module.exports = {
	...require('./paths'),
	...require('./process'),
	...require('./packInstall'),
	...require('./n8nCli'),
	...require('./n8nServer'),
	...require('./queueStack'),
};

// n8n-core reads these when it is first imported: without them it writes its settings into $HOME.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

if (!process.env.N8N_USER_FOLDER) {
	const userFolder = mkdtempSync(join(tmpdir(), 'apertis-inprocess-'));
	process.env.N8N_USER_FOLDER = userFolder;
	const remove = () => rmSync(userFolder, { recursive: true, force: true });
	// Under jest each test file gets its own copy of process.env (so its own folder here), and jest's workers end
	// without running 'exit' hooks: the folder goes when the file's tests are done.
	if (typeof afterAll === 'function') afterAll(remove);
	else process.on('exit', remove);
}
process.env.N8N_ENCRYPTION_KEY ??= 'apertis-inprocess-test-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

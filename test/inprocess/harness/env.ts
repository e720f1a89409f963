// n8n-core reads these when it is first imported: without them it writes its settings into $HOME.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

if (!process.env.N8N_USER_FOLDER) {
	const userFolder = mkdtempSync(join(tmpdir(), 'apertis-inprocess-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
}
process.env.N8N_ENCRYPTION_KEY ??= 'apertis-inprocess-test-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

// n8n-core reads these when it is first imported: without them it writes its settings into $HOME.
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'apertis-inprocess-'));
process.env.N8N_ENCRYPTION_KEY ??= 'apertis-inprocess-test-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

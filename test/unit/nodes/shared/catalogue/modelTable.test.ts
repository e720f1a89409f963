import { readFileSync } from 'fs';
import { join } from 'path';

import { renderModelTable } from '../../../../../nodes/shared/catalogue/modelTable';

test('the README model table is the one the catalogue renders (run `npm run docs:models` after changing models)', () => {
	const readme = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'README.md'), 'utf8');
	const match = /<!-- models:start -->\n([\s\S]*?)\n<!-- models:end -->/.exec(readme);
	expect(match?.[1]).toBe(renderModelTable());
});

test('the table lists every model of the API document', () => {
	const table = renderModelTable();
	for (const id of ['veo2', 'veo2-fast', 'veo2-pro', 'veo2-fast-frames', 'veo2-fast-components', 'veo3', 'veo3-fast', 'veo3-pro', 'veo3-pro-frames', 'veo3.1', 'veo3.1-fast', 'veo_3_1', 'veo_3_1-fast', 'sora-2', 'sora-2-pro']) {
		expect(table).toContain(`| \`${id}\` |`);
	}
});

import type { ModelSpec } from './models';
import { MODELS, nodesOf } from './models';
import { parameterNamesOf } from './parameters';

/**
 * The README's model table, rendered from the catalogue (`npm run docs:models` writes it into README.md; a unit
 * test fails when the README and the catalogue disagree).
 */
function limitsOf(model: ModelSpec): string {
	const parts: string[] = [];
	const { images } = model;
	if (images?.max !== undefined) parts.push(`images: at most ${images.max} (${images.role})`);
	else if (images) parts.push(`images: at least ${images.min} (required)`);
	if (model.aspectRatios) parts.push(`aspect ratio: ${model.aspectRatios.join(', ')}`);
	if (model.durations) parts.push(`duration: ${model.durations.join(', ')} s`);
	if (model.sizes) parts.push(`size: ${model.sizes.join(', ')}; seconds: any whole number`);
	return parts.join('; ') || '—';
}

export function renderModelTable(): string {
	const rows = MODELS.map((model) => {
		const parameters = parameterNamesOf(model).map((name) => `\`${name}\``);
		return `| \`${model.id}\` | ${model.displayName} | ${nodesOf(model)} | ${parameters.join(', ') || '—'} | ${limitsOf(model)} |`;
	});
	return ['| Model | Name | Node | Parameters | Limits |', '|---|---|---|---|---|', ...rows].join(
		'\n',
	);
}

import type { ModelSpec } from './models';
import { MODELS } from './models';

/**
 * The README's model table, rendered from the catalogue (`npm run docs:models` writes it into README.md; a unit
 * test fails when the README and the catalogue disagree).
 */
function nodeOf(model: ModelSpec): string {
	if (model.endpoint === 'videos') return 'Video From Image';
	return model.family === 'sora2' ? 'Video Create, Sora Chat Stream' : 'Video Create';
}

function limitsOf(model: ModelSpec): string {
	const parts: string[] = [];
	if (model.images) {
		parts.push(model.images.max !== undefined ? `images: at most ${model.images.max} (${model.images.role})` : `images: at least ${model.images.min} (required)`);
	}
	if (model.aspectRatios) parts.push(`aspect ratio: ${model.aspectRatios.join(', ')}`);
	if (model.durations) parts.push(`duration: ${model.durations.join(', ')} s`);
	if (model.sizes) parts.push(`size: ${model.sizes.join(', ')}; seconds: any whole number`);
	return parts.join('; ') || '—';
}

export function renderModelTable(): string {
	const rows = MODELS.map((model) => {
		const parameters = model.parameters
			.filter((p) => p !== 'imageUrls' && p !== 'duration')
			.map((p) => `\`${p}\``)
			.join(', ');
		return `| \`${model.id}\` | ${model.displayName} | ${nodeOf(model)} | ${parameters || '—'} | ${limitsOf(model)} |`;
	});
	return ['| Model | Name | Node | Extra parameters | Limits |', '|---|---|---|---|---|', ...rows].join('\n');
}

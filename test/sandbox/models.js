// @ts-check
// The models and rules of the Apertis Video API document, written down independently of the package's own
// catalogue: if the package's catalogue is wrong, this server says so.

/** Models of POST /v1/video/create. `images`: how many reference images it takes (0 = the field is rejected). */
const CREATE_MODELS = {
	veo2: { family: 'veo', images: 0, aspectRatio: false },
	'veo2-fast': { family: 'veo', images: 0, aspectRatio: false },
	'veo2-pro': { family: 'veo', images: 0, aspectRatio: false },
	'veo2-fast-frames': { family: 'veo', images: 2, aspectRatio: false },
	'veo2-fast-components': { family: 'veo', images: 3, aspectRatio: false },
	veo3: { family: 'veo', images: 0, aspectRatio: true },
	'veo3-fast': { family: 'veo', images: 0, aspectRatio: true },
	'veo3-pro': { family: 'veo', images: 0, aspectRatio: true },
	'veo3-pro-frames': { family: 'veo', images: 1, aspectRatio: true },
	'veo3.1': { family: 'veo', images: 0, aspectRatio: true },
	'veo3.1-fast': { family: 'veo', images: 0, aspectRatio: true },
	'sora-2': { family: 'sora', durations: [10] },
	'sora-2-pro': { family: 'sora', durations: [10, 15, 25] },
};

/** Models of POST /v1/videos (multipart). */
const VIDEOS_MODELS = ['veo_3_1', 'veo_3_1-fast'];
const VIDEOS_SIZES = ['16x9', '720x1280'];

/** Models of POST /v1/chat/completions that make videos. */
const CHAT_MODELS = ['sora-2', 'sora-2-pro'];

const ASPECT_RATIOS = ['16:9', '9:16'];
const SORA_ORIENTATIONS = ['portrait', 'landscape'];
const SORA_SIZES = ['small', 'large'];

/** Every model id /v1/models lists. */
const ALL_MODEL_IDS = [...Object.keys(CREATE_MODELS), ...VIDEOS_MODELS];

module.exports = { CREATE_MODELS, VIDEOS_MODELS, VIDEOS_SIZES, CHAT_MODELS, ASPECT_RATIOS, SORA_ORIENTATIONS, SORA_SIZES, ALL_MODEL_IDS };

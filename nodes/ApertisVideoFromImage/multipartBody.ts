import FormData from 'form-data';

import type { InputImage } from '../shared/binary/inputImage';
import type { FromImageFields } from '../shared/validation/videoFromImage';

/**
 * The multipart/form-data body of POST /v1/videos. A stream is appended with its known length, so the request has
 * a Content-Length and the image is piped from n8n's binary store without being buffered.
 */
export async function buildMultipartBody(fields: FromImageFields, image: InputImage): Promise<FormData> {
	const form = new FormData();
	form.append('model', fields.model);
	form.append('prompt', fields.prompt);
	form.append('seconds', fields.seconds);
	form.append('size', fields.size);
	form.append('watermark', fields.watermark);
	form.append('input_reference', await image.open(), {
		filename: image.fileName,
		contentType: image.mimeType,
		knownLength: image.size,
	});
	return form;
}

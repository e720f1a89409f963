/**
 * The reference image formats a careful client sends to /v1/videos. The API document says only "reference image
 * file"; these four are what image-to-video services accept everywhere, and checking the bytes (not just the
 * declared MIME type) catches a PDF or HTML error page saved as "image.jpg" before it costs a request.
 */
export interface ImageFormat {
	mimeType: string;
	extension: string;
	matches(head: Buffer): boolean;
}

export const IMAGE_FORMATS: readonly ImageFormat[] = [
	{
		mimeType: 'image/jpeg',
		extension: 'jpg',
		matches: (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
	},
	{
		mimeType: 'image/png',
		extension: 'png',
		matches: (h) =>
			h.length >= 8 &&
			h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
	},
	{
		mimeType: 'image/gif',
		extension: 'gif',
		matches: (h) => h.length >= 6 && /^GIF8[79]a$/.test(h.subarray(0, 6).toString('latin1')),
	},
	{
		mimeType: 'image/webp',
		extension: 'webp',
		matches: (h) =>
			h.length >= 12 &&
			h.subarray(0, 4).toString('latin1') === 'RIFF' &&
			h.subarray(8, 12).toString('latin1') === 'WEBP',
	},
];

/** How many leading bytes `detectImageFormat` needs. */
export const IMAGE_HEAD_BYTES = 12;

export function detectImageFormat(head: Buffer): ImageFormat | undefined {
	return IMAGE_FORMATS.find((format) => format.matches(head));
}

import type { IBinaryData, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ByteStream } from '../transport/byteStream';
import type { FieldRef } from '../errors';
import { InvalidParameter } from '../errors';
import type { ImageFormat } from './imageFormat';
import { detectImageFormat, IMAGE_FORMATS, IMAGE_HEAD_BYTES } from './imageFormat';

export interface InputImage {
	fileName: string;
	mimeType: string;
	size: number;
	/** A fresh stream of the bytes for each call: a multipart body is rebuilt when a 429 is retried. */
	open(): Promise<ByteStream | Buffer>;
}

const INPUT_FIELD: FieldRef = { name: 'binaryPropertyName', label: 'Input Binary Field' };

/** Where the reference image comes from: a binary field of the incoming item. */
export const inputImageField: INodeProperties = {
	displayName: INPUT_FIELD.label,
	name: INPUT_FIELD.name,
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the input binary field holding the reference image (JPEG, PNG, WebP or GIF)',
};

/**
 * Finds the reference image on an item, checks it really is an image, and gives a way to read it. In n8n's
 * filesystem (or S3) binary mode the bytes are streamed from the store, never copied whole into memory; in the
 * default in-memory mode they are already in memory.
 */
export async function readInputImage(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<InputImage> {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	const property = String(ctx.getNodeParameter(INPUT_FIELD.name, itemIndex, 'data')).trim();
	const data: IBinaryData | undefined = binary[property];
	if (!data) {
		const available = Object.keys(binary);
		throw new InvalidParameter(
			INPUT_FIELD,
			`Item ${itemIndex} has no binary property "${property}"`,
			available.length
				? `Its binary properties are: ${available.join(', ')}. Set "Input Binary Field" to one of them.`
				: 'It has no binary data at all. Feed the node from a node that outputs a file (Form Trigger, HTTP Request with a file response, Read Files from Disk, Google Drive).',
		);
	}

	const { head, size, open } = data.id
		? await fromStore(ctx, data.id)
		: await fromMemory(ctx, itemIndex, property);
	const format = detectImageFormat(head);
	if (!format) {
		throw new InvalidParameter(
			INPUT_FIELD,
			`The file in binary property "${property}" (${data.fileName ?? 'unnamed'}, ${data.mimeType}) is not a JPEG, PNG, WebP or GIF image`,
			`Reference images must be one of: ${IMAGE_FORMATS.map((f) => f.mimeType).join(', ')}.`,
		);
	}
	return { fileName: fileNameFor(data.fileName, format), mimeType: format.mimeType, size, open };
}

async function fromStore(ctx: IExecuteFunctions, id: string) {
	const { fileSize } = await ctx.helpers.getBinaryMetadata(id);
	const open = async () => (await ctx.helpers.getBinaryStream(id)) as unknown as ByteStream;
	return { head: await readHead(await open()), size: fileSize, open };
}

async function fromMemory(ctx: IExecuteFunctions, itemIndex: number, property: string) {
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	return {
		head: buffer.subarray(0, IMAGE_HEAD_BYTES),
		size: buffer.length,
		open: async () => buffer,
	};
}

async function readHead(stream: ByteStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			chunks.push(buffer);
			length += buffer.length;
			if (length >= IMAGE_HEAD_BYTES) break;
		}
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, IMAGE_HEAD_BYTES);
}

/** Keeps the user's file name, giving it the extension of its real format when it has none. */
function fileNameFor(fileName: string | undefined, format: ImageFormat): string {
	const name = (fileName ?? '').trim() || 'reference';
	return /\.[A-Za-z0-9]{2,5}$/.test(name) ? name : `${name}.${format.extension}`;
}

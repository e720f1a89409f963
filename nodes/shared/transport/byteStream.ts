/**
 * The part of a Node.js readable stream this package uses. Declared here because n8n Cloud's lint rules forbid
 * importing Node's `stream` module in community nodes.
 */
export interface ByteStream extends AsyncIterable<Buffer | string> {
	destroy(error?: Error): void;
}

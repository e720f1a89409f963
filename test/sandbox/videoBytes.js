// @ts-check
// The bytes of a finished video: deterministic per task id (tests compare hashes), made on the fly in chunks so a
// 1 GB video costs no memory. They begin with an MP4 `ftyp` box so that type sniffers see video/mp4.
const crypto = require('node:crypto');
const { Readable } = require('node:stream');

const FTYP = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
const CHUNK = 64 * 1024;

/** 64 KiB of bytes derived from the task id: every chunk of its video is this block stamped with its index. */
function baseBlockOf(/** @type {string} */ id) {
	const block = Buffer.allocUnsafe(CHUNK);
	for (let offset = 0; offset < CHUNK; offset += 32) crypto.createHash('sha256').update(`${id}#${offset}`).digest().copy(block, offset);
	return block;
}

/** @param {string} id @param {number} size */
function videoStream(id, size) {
	const base = baseBlockOf(id);
	let sent = 0;
	let index = 0;
	return new Readable({
		read() {
			if (sent >= size) return void this.push(null);
			const length = Math.min(CHUNK, size - sent);
			const chunk = Buffer.from(base.subarray(0, length));
			if (length >= 4) chunk.writeUInt32BE(index >>> 0, 0);
			index++;
			if (sent < FTYP.length) FTYP.copy(chunk, 0, sent, Math.min(FTYP.length, sent + length));
			sent += length;
			this.push(chunk);
		},
	});
}

/** The SHA-256 a client must compute over the downloaded video. @param {string} id @param {number} size */
async function videoSha256(id, size) {
	const hash = crypto.createHash('sha256');
	for await (const chunk of videoStream(id, size)) hash.update(chunk);
	return hash.digest('hex');
}

module.exports = { videoStream, videoSha256 };

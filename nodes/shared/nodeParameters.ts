import type { INodeProperties } from 'n8n-workflow';

/** Parameters several nodes share, defined once. */

export const downloadVideoProperties: INodeProperties[] = [
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: false,
		description:
			'Whether to download the finished video as binary data (video/mp4). Items whose task is not finished yet get none.',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the video in',
		displayOptions: { show: { downloadVideo: [true] } },
	},
];

/** The download parameters, shown only where `show` holds (e.g. when Wait for Completion is on). */
export function downloadVideoPropertiesWhen(show: Record<string, Array<string | boolean>>): INodeProperties[] {
	return downloadVideoProperties.map((property) => ({
		...property,
		displayOptions: { show: { ...show, ...(property.displayOptions?.show ?? {}) } },
	}));
}

import type { INodeProperties } from 'n8n-workflow';

/** Poll interval, time-out and pace: shared by Wait Until Done and the "Wait for Completion" options. */
export function waitPollingProperties(show?: INodeProperties['displayOptions']): INodeProperties[] {
	const displayOptions = show ? { displayOptions: show } : {};
	return [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description:
				'The longest gap between two status checks of one task. The poller checks sooner, about every second, when a task is likely to finish (from its progress and from tasks of the same model in this run).',
			...displayOptions,
		},
		{
			displayName: 'Timeout (Minutes)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0.05 },
			default: 30,
			description: 'How long to wait for the tasks. A task still unfinished then is reported as failed, with its ID.',
			...displayOptions,
		},
		{
			displayName: 'Polling Options',
			name: 'pollOptions',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			options: [
				{
					displayName: 'Max Requests per Second',
					name: 'requestsPerSecond',
					type: 'number',
					typeOptions: { minValue: 0.1 },
					default: 5,
					description: 'The pace of status checks across all items of the run, to stay inside the API rate limit',
				},
			],
			...displayOptions,
		},
	];
}

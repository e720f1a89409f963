import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ApertisApi implements ICredentialType {
	name = 'apertisApi';

	displayName = 'Apertis API';

	icon: Icon = { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' };

	documentationUrl = 'https://github.com/apertis/n8n-nodes-apertis-video#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Apertis API key (starts with "sk-")',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.apertis.ai',
			description:
				'Where the Apertis API is served. Point it at the bundled sandbox (e.g. http://127.0.0.1:4010) for dry runs.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/models',
			method: 'GET',
		},
	};
}

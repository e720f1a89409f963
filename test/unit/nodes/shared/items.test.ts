// Which input item an output item belongs to. mapItems, continuesOnFail and runsAsTool read n8n's execution context:
// they are run in-process (test/inprocess/items.test.ts: a failing item named; Continue On Fail and a tool call
// turning it into an item), as no test here fakes that context.
import { inputItemIndexOf } from '../../../../nodes/shared/items';

describe('inputItemIndexOf', () => {
	test('the item of an output item’s pairedItem, as the nodes write it', () => {
		expect(inputItemIndexOf({ json: {}, pairedItem: { item: 3 } })).toBe(3);
		expect(inputItemIndexOf({ json: {}, pairedItem: { item: 4, input: 0 } })).toBe(4);
	});

	test('the index alone, as n8n also takes it', () => {
		expect(inputItemIndexOf({ json: {}, pairedItem: 2 })).toBe(2);
	});

	test('an item paired with none belongs to the first input item', () => {
		expect(inputItemIndexOf({ json: {} })).toBe(0);
	});
});

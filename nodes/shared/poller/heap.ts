/** A binary min-heap of (at, value): the scheduler's queue of next poll times, O(log n) per push/pop. */
export class MinHeap<T> {
	private readonly items: Array<{ at: number; seq: number; value: T }> = [];
	/** Ties keep insertion order, so equal due times are served first come, first served. */
	private seq = 0;

	get size(): number {
		return this.items.length;
	}

	peekAt(): number | undefined {
		return this.items[0]?.at;
	}

	peek(): T | undefined {
		return this.items[0]?.value;
	}

	push(at: number, value: T): void {
		this.items.push({ at, seq: this.seq++, value });
		let i = this.items.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!this.less(i, parent)) break;
			this.swap(i, parent);
			i = parent;
		}
	}

	pop(): T | undefined {
		const top = this.items[0];
		if (!top) return undefined;
		const lastItem = this.items.pop()!;
		if (this.items.length > 0) {
			this.items[0] = lastItem;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let smallest = i;
				if (l < this.items.length && this.less(l, smallest)) smallest = l;
				if (r < this.items.length && this.less(r, smallest)) smallest = r;
				if (smallest === i) break;
				this.swap(i, smallest);
				i = smallest;
			}
		}
		return top.value;
	}

	private less(a: number, b: number): boolean {
		const x = this.items[a];
		const y = this.items[b];
		return x.at < y.at || (x.at === y.at && x.seq < y.seq);
	}

	private swap(a: number, b: number): void {
		[this.items[a], this.items[b]] = [this.items[b], this.items[a]];
	}
}

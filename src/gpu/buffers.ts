// Buffer pool: activations and scratch space are recycled by (usage, size rounded up to 256 bytes),
// so a loop of identical steps allocates nothing after its first step. Every buffer is labelled.

const ALIGN = 256;

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private live = 0; // bytes handed out and not yet released
  private pooled = 0; // bytes sitting in the free lists

  constructor(private readonly device: GPUDevice) {}

  static roundSize(bytes: number): number {
    return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = BufferPool.roundSize(bytes);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    this.live += size;
    if (reused) {
      this.pooled -= size;
      reused.label = label;
      return reused;
    }
    return this.device.createBuffer({ label, size, usage });
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.live -= buffer.size;
    this.pooled += buffer.size;
  }

  /** Destroys every pooled (not live) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooled = 0;
  }

  stats(): { liveBytes: number; pooledBytes: number } {
    return { liveBytes: this.live, pooledBytes: this.pooled };
  }
}

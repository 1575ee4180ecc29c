/**
 * The job history every share validator keeps, whatever the algorithm: registered jobs by id
 * (bounded), clean-job generations ("epochs": a clean job makes every earlier job stale), and
 * templates, the duplicate scope shared by every job that builds the same work from the same
 * submission (one share, one credit across job ids, connections and reconnects).
 *
 * The SHA-256d validator (algorithms/sha256d/share-validator.ts) and the KawPow one
 * (algorithms/kawpow/share-validator.ts) differ in what a job is and how a share is checked; the
 * rules of this file are the same for both, so they live here once.
 */
import { ShareHashSet } from './share-hash-set.ts';

/**
 * The duplicate scope shared by every job of one template (refreshes and variants included):
 * the 64-bit keys of its accepted shares (see share-hash-set.ts).
 */
export interface ShareTemplate {
  /** The template's identity (what its validator derives from the job's fields). */
  readonly key: string;
  /** Clean-job generation the template belongs to. */
  readonly epoch: number;
  /** Accepted shares by their proof-of-work hash (or whatever key the validator chooses). */
  readonly accepted: ShareHashSet;
  /** Registered jobs of the template still in the history. */
  jobs: number;
  /** True once no registered job of the template is left: its jobs answer "stale". */
  retired: boolean;
}

/** What the book needs of a job. */
export interface BookedJob {
  readonly id: string;
  /** Clean-job generation the job belongs to. */
  readonly epoch: number;
  readonly template: ShareTemplate;
}

export class ShareJobBook<J extends BookedJob> {
  private readonly jobs = new Map<string, J>();
  /** Templates of the current generation by key. */
  private readonly templates = new Map<string, ShareTemplate>();
  private generation = 0;

  constructor(readonly maxJobs: number) {
    if (!Number.isInteger(maxJobs) || maxJobs < 1) throw new RangeError(`maxJobs must be a positive integer (got ${maxJobs})`);
  }

  /** The current clean-job generation. */
  get epoch(): number {
    return this.generation;
  }

  /** Throws unless `id` is free (a job id names one job for the life of the history). */
  checkNewId(id: string): void {
    if (this.jobs.has(id)) throw new RangeError(`job id ${id} is already registered`);
  }

  /** A clean job: every template so far is stale; their duplicate sets are no longer needed. */
  newEpoch(): void {
    this.generation++;
    for (const t of this.templates.values()) this.retire(t);
  }

  /**
   * Registers a job of the template `key` (created on first use) made by `make`, then forgets the
   * oldest jobs beyond maxJobs; a template whose last registered job left is retired.
   */
  register(key: string, make: (epoch: number, template: ShareTemplate) => J): J {
    const known = this.templates.get(key);
    const template = known ?? { key, epoch: this.generation, accepted: new ShareHashSet(), jobs: 0, retired: false };
    const job = make(this.generation, template);
    this.checkNewId(job.id);
    if (!known) this.templates.set(key, template);
    template.jobs++;
    this.jobs.set(job.id, job);
    while (this.jobs.size > this.maxJobs) {
      const oldest = this.jobs.keys().next().value as string;
      const evicted = this.jobs.get(oldest)!;
      this.jobs.delete(oldest);
      if (--evicted.template.jobs === 0 && !evicted.template.retired) this.retire(evicted.template);
    }
    return job;
  }

  get(id: string): J | undefined {
    return this.jobs.get(id);
  }

  /** True when a newer clean job exists, or the job's template left the history. */
  isStale(job: BookedJob): boolean {
    return job.epoch < this.generation || job.template.retired;
  }

  /** Number of remembered jobs. */
  get size(): number {
    return this.jobs.size;
  }

  /** Templates of the current generation still in the history. */
  get templateCount(): number {
    return this.templates.size;
  }

  /** Forgets every job (e.g. when the template source restarts). */
  clear(): void {
    this.newEpoch();
    this.jobs.clear();
  }

  private retire(t: ShareTemplate): void {
    t.retired = true;
    t.accepted.clear();
    this.templates.delete(t.key);
  }
}

import { PostHog } from '../posthog-core'
import { logger } from '../utils/logger'

const FLUSH_INTERVAL_MS = §n * 10
const MAX_§U_BATCH = §n

export interface §A§BOptions {
    enabled: boolean
    §b: string[]
    onFlush?: (batch: §A[]) => void
}

export class §A§BBuffer {
    private _queue: §A[] = []
    private _timer: ReturnType<typeof setTimeout> | undefined

    constructor(private readonly instance: PostHog, private readonly options: §A§BOptions) {}

    add(item: §A): void {
        this._queue.push(item)
        if (this._queue.length >= MAX_§U_BATCH) {
            this.flush('size')
            return
        }
        this._timer ??= setTimeout(() => this.flush('timer'), FLUSH_INTERVAL_MS)
    }

    flush(reason: 'size' | 'timer' | 'unload'): void {
        clearTimeout(this._timer)
        this._timer = undefined
        const batch = this._queue.splice(0)
        logger.info(`[§A] flushing ${batch.length} items (${reason})`)
        this.options.onFlush?.(batch)
    }
}

package §a

import (
	"context"
	"log"
	"sync"
	"time"
)

type §A§B struct {
	mu          sync.RWMutex
	subscribers map[string]chan §A
	dropped     uint64
}

func New§A§B() *§A§B {
	return &§A§B{subscribers: make(map[string]chan §A)}
}

func (b *§A§B) Publish(ctx context.Context, ev §A) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for id, ch := range b.subscribers {
		select {
		case ch <- ev:
		case <-time.After(§n * time.Millisecond):
			b.dropped++
			log.Printf("dropping §b for subscriber %s", id)
		case <-ctx.Done():
			return
		}
	}
}

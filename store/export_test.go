package store

// ProvisionalListed walks the list of provisional sessions and returns its length, and how many
// of its nodes are not the place of the live entry of their id (0 when the list is consistent).
func (s *Memory) ProvisionalListed() (listed, stray int) {
	s.provMu.Lock()
	var ids []*provNode
	for n := s.provHead; n != nil; n = n.next {
		ids = append(ids, n)
	}
	s.provMu.Unlock()
	for _, n := range ids {
		sh := s.shard(n.id)
		sh.mu.RLock()
		if e := sh.m[n.id]; e == nil || e.prov != n {
			stray++
		}
		sh.mu.RUnlock()
	}
	return len(ids), stray
}

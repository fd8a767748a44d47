package accounts_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"example.org/certportal/internal/accounts"
)

// These benchmarks measure the production password hash. Compare them with
// the baseline's argon2 rows from the same run (docs/benchmarks.md):
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/accounts/

const benchPassword = "correct horse battery staple"

// BenchmarkHashDefaultParams is one argon2id hash with DefaultHashParams,
// one at a time: compare with the baseline's "argon2 one hash".
func BenchmarkHashDefaultParams(b *testing.B) {
	h := accounts.NewHasher(accounts.DefaultHashParams, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, benchPassword); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/hash")
}

// BenchmarkVerifyParallel verifies passwords from 8 goroutines per CPU
// through the production hasher, which lets 2 hashes run at once. The rate
// (hash/s) should match the baseline's "2 concurrent hashers", and the peak
// resident memory (peak-RSS-MiB, Linux only) stays near that of two hashes
// however many goroutines wait.
func BenchmarkVerifyParallel(b *testing.B) {
	h := accounts.NewHasher(accounts.DefaultHashParams, 2)
	ctx := context.Background()
	encoded, err := h.Hash(ctx, benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	const perCPU = 8
	b.SetParallelism(perCPU)
	resetPeakRSS()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ok, _, err := h.Verify(ctx, encoded, benchPassword)
			if err != nil || !ok {
				b.Errorf("Verify = %v, %v; want true, nil", ok, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hash/s")
	b.ReportMetric(float64(perCPU*runtime.GOMAXPROCS(0)), "goroutines")
	if peak := procStatusKiB("VmHWM"); peak > 0 {
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
	}
}

// resetPeakRSS returns freed memory to the OS and resets the kernel's peak
// resident set size (VmHWM) to the current one. It does nothing where
// /proc/self/clear_refs is not available.
func resetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// procStatusKiB reads a "kB" field of /proc/self/status, or -1.
func procStatusKiB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	return -1
}

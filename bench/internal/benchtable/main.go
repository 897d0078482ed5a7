// Command benchtable turns benchstat's CSV summary of the bench suite into a Markdown table and
// writes it into README.md between the result markers, with the date, Go version and CPU.
//
// Usage: benchtable -csv stat.csv -raw raw.txt -stat stat.txt -readme README.md
//
// Besides wall time (ns/op) the suite reports process CPU time per operation (cpu-ns/op), which
// stays steady when other processes share the machine and includes the garbage collector's
// background work. Ratios are computed from it, when present: to golang-jwt's figure for the same
// operation (verify or sign) and to the floor (the standard library's unavoidable work for a
// verify, see floor_test.go).
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	beginMarker = "<!-- BEGIN RESULTS -->"
	endMarker   = "<!-- END RESULTS -->"
)

// row is one benchmark's summary: benchstat's center (median) for each unit and its CI text.
type row struct {
	name   string
	values map[string]float64
	ci     map[string]string
}

func main() {
	csvPath := flag.String("csv", "", "benchstat -format csv output")
	rawPath := flag.String("raw", "", "raw go test -bench output (for the cpu line)")
	statPath := flag.String("stat", "", "benchstat text output, included verbatim")
	readme := flag.String("readme", "README.md", "file whose result section is replaced")
	flag.Parse()
	if err := run(*csvPath, *rawPath, *statPath, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(csvPath, rawPath, statPath, readme string) error {
	csvData, err := os.ReadFile(csvPath)
	if err != nil {
		return err
	}
	rows, err := parseCSV(csvData)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(rawPath)
	if err != nil {
		return err
	}
	stat, err := os.ReadFile(statPath)
	if err != nil {
		return err
	}
	info, err := os.Stat(rawPath)
	if err != nil {
		return err
	}
	sortRows(rows)
	section := render(rows, header(raw, info.ModTime()), string(stat))
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	i := bytes.Index(old, []byte(beginMarker))
	j := bytes.Index(old, []byte(endMarker))
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s section", readme, beginMarker, endMarker)
	}
	var out bytes.Buffer
	out.Write(old[:i+len(beginMarker)])
	out.WriteString("\n")
	out.WriteString(section)
	out.Write(old[j:])
	return os.WriteFile(readme, out.Bytes(), 0o644)
}

// parseCSV reads benchstat's CSV: blocks of a file line, a ",unit,CI" line, and rows.
func parseCSV(data []byte) ([]*row, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	byName := map[string]*row{}
	var order []*row
	unit := ""
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 2 {
			continue
		}
		if rec[0] == "" {
			if len(rec) >= 3 && rec[2] == "CI" {
				unit = rec[1]
			}
			continue
		}
		if rec[0] == "geomean" || unit == "" {
			continue
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			continue
		}
		name := cpuSuffix.ReplaceAllString(rec[0], "")
		rw := byName[name]
		if rw == nil {
			rw = &row{name: name, values: map[string]float64{}, ci: map[string]string{}}
			byName[name] = rw
			order = append(order, rw)
		}
		rw.values[unit] = v
		if len(rec) >= 3 {
			rw.ci[unit] = rec[2]
		}
	}
	if len(order) == 0 {
		return nil, errors.New("no benchmark rows in the CSV")
	}
	return order, nil
}

// cpuSuffix is the -GOMAXPROCS suffix go test appends to benchmark names.
var cpuSuffix = regexp.MustCompile(`-\d+$`)

// groups is the order of the table's sections; rows keep their order within a section.
var groups = []string{"Verify/", "VerifyAsym/", "Clients/", "Sign/", "Middleware/", "Reject/", "SHA256/"}

func group(name string) int {
	for i, g := range groups {
		if strings.HasPrefix(name, g) {
			return i
		}
	}
	return len(groups)
}

func sortRows(rows []*row) {
	slices.SortStableFunc(rows, func(a, b *row) int { return group(a.name) - group(b.name) })
}

// header returns the environment lines of the report; measured is when the raw output was written.
func header(raw []byte, measured time.Time) string {
	cpu := "unknown"
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "cpu: "); ok {
			cpu = s
			break
		}
	}
	return fmt.Sprintf("Measured %s with %s on %s/%s, CPU %s, %d logical CPUs.\n",
		measured.UTC().Format("2006-01-02 15:04 MST"), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		cpu, runtime.NumCPU())
}

func render(rows []*row, env, stat string) string {
	byName := map[string]*row{}
	for _, r := range rows {
		byName[r.name] = r
	}
	// cost is the time ratios are computed from: CPU time when the suite reported it.
	cost := func(r *row) float64 {
		if v, ok := r.values["cpu-sec/op"]; ok {
			return v
		}
		return r.values["sec/op"]
	}
	ref := func(name string) float64 {
		if r := byName[name]; r != nil {
			return cost(r)
		}
		return 0
	}
	floor := ref("Verify/floor")
	var b strings.Builder
	b.WriteString(env)
	b.WriteString("\nFigures are benchstat medians over the runs (± is the 95% confidence interval). " +
		"ns/op is wall time, CPU ns/op the process CPU time per operation. \"x golang-jwt\" is the " +
		"CPU time divided by golang-jwt's for the same operation (and algorithm); \"x floor\" is the CPU " +
		"time divided by the floor's (see above; the asymmetric rows, their algorithm's floor).\n\n")
	b.WriteString("| Benchmark | ns/op | ± | CPU ns/op | B/op | allocs/op | x golang-jwt | x floor |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		ns := r.values["sec/op"] * 1e9
		cpu := "—"
		if v, ok := r.values["cpu-sec/op"]; ok {
			cpu = fmtNs(v * 1e9)
		}
		c := cost(r) * 1e9
		gj := 0.0
		switch {
		case strings.HasPrefix(r.name, "Verify/"):
			gj = ref("Verify/golang-jwt")
		case strings.HasPrefix(r.name, "Sign/"):
			gj = ref("Sign/golang-jwt")
		case strings.HasPrefix(r.name, "Middleware/"):
			gj = ref("Middleware/nethttp-golang-jwt")
		case strings.HasPrefix(r.name, "VerifyAsym/"), strings.HasPrefix(r.name, "Clients/"):
			gj = ref(algPrefix(r.name) + "golang-jwt") // the same algorithm's
		}
		fl := 0.0
		switch {
		case strings.HasPrefix(r.name, "Verify/") || strings.HasPrefix(r.name, "Reject/"):
			fl = floor
		case strings.HasPrefix(r.name, "VerifyAsym/"):
			fl = ref(algPrefix(r.name) + "floor")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, fmtNs(ns), r.ci["sec/op"],
			cpu, fmtCount(r.values, "B/op"), fmtCount(r.values, "allocs/op"), ratio(c, gj), ratio(c, fl))
	}
	b.WriteString("\n<details><summary>benchstat output</summary>\n\n```\n")
	b.WriteString(strings.TrimSpace(stat))
	b.WriteString("\n```\n\n</details>\n")
	return b.String()
}

// algPrefix returns the group and algorithm of a row of the asymmetric or many-clients
// benchmarks: "VerifyAsym/ES256/" of "VerifyAsym/ES256/fastjwt".
func algPrefix(name string) string {
	i := strings.IndexByte(name, '/')
	j := strings.IndexByte(name[i+1:], '/')
	if i < 0 || j < 0 {
		return name
	}
	return name[:i+1+j+1]
}

func fmtNs(ns float64) string {
	switch {
	case ns < 10:
		return strconv.FormatFloat(ns, 'f', 2, 64)
	case ns < 100:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
	return strconv.FormatFloat(ns, 'f', 0, 64)
}

func fmtCount(values map[string]float64, unit string) string {
	v, ok := values[unit]
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func ratio(ns, refSec float64) string {
	if refSec == 0 {
		return "—"
	}
	return strconv.FormatFloat(ns/(refSec*1e9), 'f', 2, 64)
}

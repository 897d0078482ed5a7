package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// probeHeader carries a number unique to each request of the path table. The file servers
// write it into their access logs, so that what a server did with one request (reached or not,
// what it answered, how many bytes) can be told apart from every other request.
const probeHeader = "X-Probe"

// served is one line of a file server's access log: what it answered to the request carrying
// probe.
type served struct {
	probe  string
	status int
	size   int64  // body bytes sent
	uri    string // the request target as the server received it
	path   string // the path it resolved, when it logs one (nginx)
}

// fileServer is a web server serving the document root of the path table: one whose own path
// rules (decoding, dot segments, ";" parameters, slashes) decide which file a request target
// names.
type fileServer struct {
	name string
	addr string // host:port
	// log returns the access log so far. A server writes a line after its answer, so a reader
	// waits for the line of a request it sent last (see waitServed).
	log func(t *testing.T) []served
}

// waitServed waits until the server has logged the request with probe, for at most 10 seconds,
// and returns the log: the line is written after the answer, so it may trail the answer the
// client read. A server with several threads (Tomcat) may finish an earlier request's line a
// moment after a later one's, hence the log is read once more shortly after.
func (fs *fileServer) waitServed(t *testing.T, probe string) []served {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, s := range fs.log(t) {
			if s.probe == probe {
				time.Sleep(50 * time.Millisecond)
				return fs.log(t)
			}
		}
		if time.Now().After(deadline) {
			log := fs.log(t)
			t.Fatalf("%s did not log the request %s %s within 10s; its log has %d lines, the last ones: %v",
				fs.name, probeHeader, probe, len(log), log[max(0, len(log)-5):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tableFile is a file of the document root and the route whose tree it is in.
type tableFile struct {
	path  string // the path that names it, cleanly
	route string // the name of the route (pathRoutes) that owns it
}

// tableFiles are the files every file server holds. /partners-internal/ and /adminx/ are in the
// default route's tree: a route matches on segment boundaries.
var tableFiles = []tableFile{
	{"/f", "root"},
	{"/partners/f", "partners"},
	{"/admin/f", "admin"},
	{"/partners-internal/f", "root"},
	{"/adminx/f", "root"},
	{"/x/f", "root"},
}

// fileBody is the content of the i-th table file: it names the file and its route, and its
// length differs from every other file's, so that a byte count in an access log tells which
// file was served.
func fileBody(i int) string {
	f := tableFiles[i]
	s := fmt.Sprintf("file %s of route %s\n", f.path, f.route)
	return s + strings.Repeat(".", 100+16*i-len(s)) + "\n"
}

// writeDocroot writes the table files under dir.
func writeDocroot(t *testing.T, dir string) {
	t.Helper()
	for i, f := range tableFiles {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(fileBody(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startGoFiles serves a document root with net/http's FileServer (it cleans the decoded path
// with path.Clean), recording every request in memory.
func startGoFiles(t *testing.T) *fileServer {
	t.Helper()
	root := t.TempDir()
	writeDocroot(t, root)
	var mu sync.Mutex
	var log []served
	files := http.FileServer(http.Dir(root))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w, status: 200}
		files.ServeHTTP(cw, r)
		mu.Lock()
		log = append(log, served{probe: r.Header.Get(probeHeader), status: cw.status, size: cw.n, uri: r.RequestURI, path: r.URL.Path})
		mu.Unlock()
	})
	fs := &fileServer{name: "net/http FileServer", addr: serveFront(t, h)[len("http://"):]}
	fs.log = func(*testing.T) []served {
		mu.Lock()
		defer mu.Unlock()
		return append([]served(nil), log...)
	}
	return fs
}

// countingWriter records the status and the body bytes of an answer.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// startNginxFiles runs nginx (foreground, files in a temporary directory) serving a document
// root with the root directive, as a static site would, logging each request as JSON: the
// target it received, the path it normalized it to ($uri), the file and the bytes it sent.
func startNginxFiles(t *testing.T, nginx string) *fileServer {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "html")
	writeDocroot(t, root)
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	logPath := filepath.Join(dir, "access.log")
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events {
    worker_connections 256;
}
http {
    log_format probe escape=json '{"probe":"$http_x_probe","status":"$status","size":"$body_bytes_sent","uri":"$request_uri","path":"$uri","file":"$request_filename"}';
    access_log %[1]s/access.log probe;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen %[2]s;
        root %[3]s;
    }
}
`, dir, listen, root)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	p := startProcess(t, "nginx (files)", cmd, nil, syscall.SIGQUIT, false)
	p.waitListening(t, listen)
	fs := &fileServer{name: "nginx (root)", addr: listen}
	fs.log = func(t *testing.T) []served {
		var out []served
		for _, line := range readLines(t, logPath) {
			var rec struct{ Probe, Status, Size, URI, Path, File string }
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("nginx access log line %q: %v", line, err)
			}
			out = append(out, served{probe: rec.Probe, status: atoi(rec.Status), size: int64(atoi(rec.Size)), uri: rec.URI, path: rec.Path})
		}
		return out
	}
	return fs
}

// startCaddyFiles runs Caddy's file_server on a document root (plain HTTP on a free loopback
// port, admin endpoint off), with its access log as JSON in a file.
func startCaddyFiles(t *testing.T, caddy string) *fileServer {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "site")
	writeDocroot(t, root)
	port := freePort(t)
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	logPath := filepath.Join(dir, "access.log")
	// A site for any host (":PORT", bound to loopback): Caddy's reverse_proxy passes on the
	// client's Host, and a site address naming a host would neither match nor log the
	// requests of another.
	conf := fmt.Sprintf("{\n\tadmin off\n}\n\nhttp://:%d {\n\tbind 127.0.0.1\n\troot * %s\n\tfile_server\n\tlog {\n\t\toutput file %s\n\t\tformat json\n\t}\n}\n",
		port, root, logPath)
	confPath := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(caddy, "run", "--config", confPath, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	p := startProcess(t, "caddy (files)", cmd, nil, syscall.SIGTERM, false)
	p.waitListening(t, listen)
	fs := &fileServer{name: "caddy file_server", addr: listen}
	fs.log = func(t *testing.T) []served {
		var out []served
		for _, line := range readLines(t, logPath) {
			var rec struct {
				Request struct {
					URI     string
					Headers http.Header
				}
				Status int
				Size   int64
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("caddy access log line %q: %v", line, err)
			}
			out = append(out, served{probe: rec.Request.Headers.Get(probeHeader), status: rec.Status, size: rec.Size, uri: rec.Request.URI})
		}
		return out
	}
	return fs
}

// tomcatHome is where Debian's tomcat10 package puts Tomcat (CATALINA_HOME).
const tomcatHome = "/usr/share/tomcat10"

// tomcatStartTimeout bounds Tomcat's start: a JVM on a loaded 2-core machine takes far longer
// than the other servers (about 2 s on an idle one).
const tomcatStartTimeout = 60 * time.Second

// needTomcat returns catalina.sh of Debian's tomcat10, or skips the test when it is missing (a
// failure under CI=true, where .ci/run installs it), as needProgram does for programs in PATH.
func needTomcat(t *testing.T) string {
	t.Helper()
	catalina := filepath.Join(tomcatHome, "bin", "catalina.sh")
	_, err := os.Stat(catalina)
	if err == nil {
		_, err = exec.LookPath("java")
	}
	if err == nil {
		return catalina
	}
	msg := "tomcat10 not found (" + err.Error() + "); install it with 'apt-get install tomcat10' to test the gateway in front of Tomcat"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startTomcat runs Tomcat 10 in the foreground (catalina.sh run) with a CATALINA_BASE of its
// own in a temporary directory: one HTTP connector on a free loopback port, no shutdown port,
// the package's conf/web.xml (its DefaultServlet serves static files, and the servlet rules
// strip ";" path parameters from every segment), a ROOT web application holding the document
// root, and an access log valve that writes the probe header, the status, the bytes and the
// request path of every request. Cleanup stops it with SIGTERM (its shutdown hook).
func startTomcat(t *testing.T, catalina string) *fileServer {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{"conf", "logs", "temp", "work", "webapps"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	webXML, err := os.ReadFile(filepath.Join(tomcatHome, "etc", "web.xml"))
	if err != nil {
		webXML, err = os.ReadFile("/etc/tomcat10/web.xml")
	}
	if err != nil {
		t.Fatalf("tomcat10's web.xml: %v", err)
	}
	if err := os.WriteFile(filepath.Join(base, "conf", "web.xml"), webXML, 0o644); err != nil {
		t.Fatal(err)
	}
	writeDocroot(t, filepath.Join(base, "webapps", "ROOT"))
	port := freePort(t)
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	// The access log is unbuffered so that a line is in the file once the answer is sent (give
	// or take the valve's own write after it).
	server := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="10000"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false">
        <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs"
               prefix="access" suffix=".log" rotatable="false" buffered="false"
               pattern="%%{%s}i %%s %%B %%U"/>
      </Host>
    </Engine>
  </Service>
</Server>
`, port, probeHeader)
	if err := os.WriteFile(filepath.Join(base, "conf", "server.xml"), []byte(server), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(catalina, "run")
	cmd.Env = append(os.Environ(),
		"CATALINA_HOME="+tomcatHome,
		"CATALINA_BASE="+base,
		"CATALINA_TMPDIR="+filepath.Join(base, "temp"),
		"CATALINA_PID=",
		// A short-lived JVM: C1 only and a small heap start fastest.
		"JAVA_OPTS=-Xms32m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
	)
	// catalina.sh execs java: the signal reaches the JVM.
	p := startProcess(t, "tomcat", cmd, nil, syscall.SIGTERM, false)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tomcat's server.xml:\n%s\ntomcat's output:\n%s", server, p.out)
		}
	})
	waitServing(t, p, listen, tableFiles[0].path, fileBody(0), tomcatStartTimeout)
	logPath := filepath.Join(base, "logs", "access.log")
	fs := &fileServer{name: "tomcat10 DefaultServlet", addr: listen}
	fs.log = func(t *testing.T) []served {
		var out []served
		for _, line := range readLines(t, logPath) {
			f := strings.Fields(string(line))
			if len(f) != 4 {
				t.Fatalf("tomcat access log line %q: want 4 fields", line)
			}
			out = append(out, served{probe: f[0], status: atoi(f[1]), size: int64(atoi(f[2])), uri: f[3]})
		}
		return out
	}
	return fs
}

// waitServing waits until a GET of path at addr answers 200 with body: Tomcat binds its port
// before its web application is deployed, so a connection alone does not say it serves.
func waitServing(t *testing.T, p *process, addr, path, body string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		a, err := rawRequest(addr, path, nil, 2*time.Second)
		if err == nil && a.status == 200 && string(a.body) == body {
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("status %d, body %q", a.status, a.body)
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before serving %s: %v\noutput:\n%s", p.name, path, p.err, p.out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not serving %s on %s after %v (last: %s)\noutput:\n%s", p.name, path, addr, timeout, last, p.out)
		}
	}
}

// readLines returns the complete lines of the file at path (none while it does not exist): a
// line still being written has no line ending yet and is left for the next read.
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		return nil
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	return lines
}

// atoi is strconv.Atoi for log fields, -1 for "-" or anything else that is not a number.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// answer is a response read off a raw connection.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// rawRequest sends "GET target HTTP/1.1" to addr exactly as written, bytes a client library
// would reject or normalize included, with Host, the headers given and Connection: close, and
// reads the answer, all within timeout.
func rawRequest(addr, target string, headers []header, timeout time.Duration) (answer, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return answer{}, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return answer{}, err
	}
	var req bytes.Buffer
	req.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\n")
	for _, h := range headers {
		req.WriteString(h.name + ": " + h.value + "\r\n")
	}
	req.WriteString("Connection: close\r\n\r\n")
	if _, err := c.Write(req.Bytes()); err != nil {
		return answer{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(io.LimitReader(resp.Body, 1<<20))
	return answer{status: resp.StatusCode, header: resp.Header, body: body.Bytes()}, err
}

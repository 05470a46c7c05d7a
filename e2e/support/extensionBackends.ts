import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Extension } from '../../src/main/api/extensions';
import { extensionKey } from '../../src/main/extensions/key';
import type { Instance } from './berth';
import { loadExtensionImages, type FileSpec } from './extensionImages';

/**
 * An HTTP/1.1 server on a Unix socket written with perl's built-ins only, so an image that runs it needs
 * no perl modules: the host's perl (perl-base is Essential on Debian) with the libraries `ldd` names, and
 * busybox for the shell and tools. A script is this text followed by its own
 * `sub route { my ($client, $where, $query, $body, $header) = @_; ... }`, answering with answer(); the
 * server's loop never ends, so a script's own code lives in subs.
 * Run as `perl SCRIPT SOCKET`; the socket's name (without .sock) is `$name` unless NAME is set.
 */
export const PERL_HTTP_SERVER = String.raw`
my $path = shift or die "usage: server.pl SOCKET\n";
$SIG{TERM} = sub { unlink $path; exit 0 };
$SIG{CHLD} = 'IGNORE';
our $method = '';
our $name = $ENV{NAME} || ($path =~ m{([^/]+)\.sock$} ? $1 : 'backend');
unlink $path;
socket(my $server, 1, 1, 0) or die "socket: $!\n";
bind($server, pack('S Z108', 1, $path)) or die "bind $path: $!\n";
listen($server, 16) or die "listen: $!\n";
chmod 0666, $path;
print STDERR "listening on $path\n";
while (1) {
  accept(my $client, $server) or next;
  my $pid = fork();
  if (!defined $pid || $pid) { close $client; next }
  close $server;
  serve($client);
  exit 0;
}

sub quote {
  my $text = shift;
  $text =~ s/(["\\])/\\$1/g;
  $text =~ s/\n/\\n/g; $text =~ s/\r/\\r/g; $text =~ s/\t/\\t/g;
  $text =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return "\"$text\"";
}

sub answer {
  my ($client, $status, $type, $body) = @_;
  my %reason = (200 => 'OK', 404 => 'Not Found', 418 => "I'm a teapot", 500 => 'Internal Server Error');
  my $text = $reason{$status} || 'Status';
  print $client "HTTP/1.1 $status $text\r\nContent-Type: $type\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n";
  print $client $body unless $method eq 'HEAD';
}

# A body with Content-Length, or in chunks (as Go's client sends one of unknown length).
sub body {
  my ($client, $header) = @_;
  my $body = '';
  if (lc($header->{'transfer-encoding'} || '') eq 'chunked') {
    while (defined(my $size = <$client>)) {
      $size = hex($size =~ s/\r?\n$//r);
      last unless $size;
      read($client, my $chunk, $size);
      $body .= $chunk;
      <$client>;
    }
  } elsif ($header->{'content-length'}) {
    read($client, $body, $header->{'content-length'});
  }
  return $body;
}

sub serve {
  my $client = shift;
  binmode $client;
  select((select($client), $| = 1)[0]);
  my $first = <$client>;
  return unless defined $first;
  my $target;
  ($method, $target) = $first =~ /^(\S+) (\S+)/;
  my %header;
  while (my $line = <$client>) {
    $line =~ s/\r?\n$//;
    last if $line eq '';
    my ($key, $value) = split /:\s*/, $line, 2;
    $header{lc $key} = $value;
  }
  my $body = body($client, \%header);
  my ($where, $query) = split /\?/, $target, 2;
  route($client, $where, $query, $body, \%header);
}
`;

/**
 * An extension's backend server (PERL_HTTP_SERVER with these routes):
 *   GET  /hello            {"message":"hello from NAME"}, NAME from the environment, else the socket's name
 *   ANY  /echo             {"method","contentType","body"} of the request
 *   ANY  /status/NNN       status NNN, {"status":NNN}
 *   GET  /text             text/plain
 *   GET  /file?/some/path  the file's content as text (404 when missing)
 *   GET  /engine           the engine's GET /_ping through /var/run/docker.sock, {"ping":"OK"}
 */
export const SERVER_PL =
  PERL_HTTP_SERVER +
  String.raw`
sub ping {
  socket(my $engine, 1, 1, 0) or return "socket: $!";
  connect($engine, pack('S Z108', 1, '/var/run/docker.sock')) or return "connect: $!";
  select((select($engine), $| = 1)[0]);
  print $engine "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
  local $/;
  my $reply = <$engine>;
  return $reply =~ /\r\n\r\n(.*)$/s ? $1 : $reply;
}

sub route {
  my ($client, $where, $query, $body, $header) = @_;
  if ($where eq '/hello') {
    answer($client, 200, 'application/json', '{"message":' . quote("hello from $name") . '}');
  } elsif ($where eq '/echo') {
    answer($client, 200, 'application/json', '{"method":' . quote($method) . ',"contentType":' . quote($header->{'content-type'} || '') . ',"body":' . quote($body) . '}');
  } elsif ($where =~ m{^/status/(\d+)$}) {
    answer($client, $1, 'application/json', "{\"status\":$1}");
  } elsif ($where eq '/text') {
    answer($client, 200, 'text/plain', "plain text from $name");
  } elsif ($where eq '/file') {
    if (open(my $file, '<', $query)) { local $/; my $content = <$file>; answer($client, 200, 'text/plain', $content) }
    else { answer($client, 404, 'application/json', '{"error":' . quote("$query: $!") . '}') }
  } elsif ($where eq '/engine') {
    answer($client, 200, 'application/json', '{"ping":' . quote(ping()) . '}');
  } else {
    answer($client, 404, 'application/json', '{"error":"no such route"}');
  }
}
`;

/** The host file `path` and the shared libraries it loads, as `ldd` lists them, as image files at the same paths. */
export function withLibraries(path: string): Record<string, FileSpec> {
  const files = [path];
  for (const line of execFileSync('ldd', [path], { encoding: 'utf8' }).split('\n')) {
    const found = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (found) files.push(found[1]);
  }
  // A library is often a link to its versioned file: the image gets the file under the linked name.
  return Object.fromEntries(files.map((file) => [file, { data: readFileSync(file), mode: 0o755 }]));
}

/** The backend server's files, to add to an image that has busybox (ExtensionImageSpec's `busybox`). */
export function backendServerFiles(): Record<string, FileSpec> {
  return { ...withLibraries('/usr/bin/perl'), '/server.pl': SERVER_PL };
}

/** The command that runs the backend server on /run/guest-services/`socket`. */
export const backendServerCommand = (socket: string): string[] => ['/usr/bin/perl', '/server.pl', `/run/guest-services/${socket}`];

export interface BackendImage {
  repository: string;
  tag: string;
  cmd: string[];
  /** More files, by their path in the image (an extension's metadata.json, its UI, ...). */
  files?: Record<string, FileSpec>;
  /** Set for the command (through busybox's env: the image builder gives PATH alone). */
  env?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Loads an image with busybox, the backend server and `files` into the instance's engine, made offline; returns repository:tag. */
export async function buildBackendImage(instance: Instance, image: BackendImage): Promise<string> {
  const env = Object.entries(image.env ?? {}).map(([name, value]) => `${name}=${value}`);
  await loadExtensionImages(instance, [
    {
      repository: image.repository,
      tag: image.tag,
      labels: image.labels ?? {},
      busybox: true,
      files: { ...backendServerFiles(), ...image.files },
      cmd: env.length ? ['env', ...env, ...image.cmd] : image.cmd,
    },
  ]);
  return `${image.repository}:${image.tag}`;
}

/** An installed extension's record, as install writes it, for a backend of `kind`. */
export function extensionRecord(image: string, vm: Extension['vm']): Extension {
  const id = image.replace(/:[^:/]*$/, '');
  return {
    key: extensionKey(id),
    id,
    image,
    version: image.slice(id.length + 1),
    title: `Test ${id}`,
    description: 'an extension of the tests',
    vendor: 'Berth tests',
    apiVersion: '>= 0.3.0',
    icon: '',
    detailedDescription: '',
    changelog: '',
    publisherUrl: '',
    screenshots: [],
    additionalUrls: [],
    categories: [],
    ui: null,
    vm,
    hostBinaries: [],
    installedAt: new Date().toISOString(),
  };
}

/** An extension folder as install leaves it: vm/compose.yaml and the compose folder's other files. */
export function extensionFolder(compose: string, files: Record<string, string> = {}): string {
  const folder = mkdtempSync(join(tmpdir(), 'bt-ext-'));
  for (const [path, text] of Object.entries({ 'compose.yaml': compose, ...files })) {
    mkdirSync(dirname(join(folder, 'vm', path)), { recursive: true });
    writeFileSync(join(folder, 'vm', path), text);
  }
  return folder;
}

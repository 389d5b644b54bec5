#!/usr/bin/env python3
"""Load with faults (issue 6): mixed reads and writes against several rota servers
while something else restarts Redis; then every acknowledged write is checked
against the database and every read for staleness.

A write adds a note to a shift (POST /api/shifts/{id}/notes) and records the
note's id and the moment its 201 arrived. A read fetches the shift list of a
day (GET /api/homes/{h}/shifts?from=D&to=D) from a random server; it is stale
when a note acknowledged before the read was sent is missing from the answer.
Lost writes: acknowledged notes absent from the database at the end.

  soak.py --servers URL,URL --token T --shifts H:D:ID,... --seconds N --report FILE [--db-check CMD]
"""
import argparse, collections, http.client, json, random, subprocess, sys, threading, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--servers', required=True)
    ap.add_argument('--token', required=True)
    ap.add_argument('--shifts', required=True, help='home:date:shift_id,...')
    ap.add_argument('--seconds', type=float, default=60)
    ap.add_argument('--threads', type=int, default=8)
    ap.add_argument('--write-share', type=float, default=0.1)
    ap.add_argument('--ids-file', required=True, help='where to write the acknowledged note ids')
    a = ap.parse_args()
    servers = [s.split('//')[1] for s in a.servers.split(',')]
    shifts = [tuple(x.split(':')) for x in a.shifts.split(',')]
    headers = {'Authorization': 'Bearer ' + a.token, 'Content-Type': 'application/json'}

    lock = threading.Lock()
    acked = collections.defaultdict(list)   # shift id -> [(ack monotonic time, note id)]
    statuses = collections.Counter()
    stale = []
    counts = collections.Counter()
    deadline = time.monotonic() + a.seconds

    def conn(i):
        host, port = servers[i].split(':')
        return http.client.HTTPConnection(host, int(port), timeout=10)

    def worker(seed):
        rnd = random.Random(seed)
        conns = {}
        while time.monotonic() < deadline:
            i = rnd.randrange(len(servers))
            c = conns.get(i) or conn(i)
            conns[i] = c
            home, day, sid = rnd.choice(shifts)
            try:
                if rnd.random() < a.write_share:
                    body = json.dumps({'body': 'soak %d' % rnd.getrandbits(32)})
                    c.request('POST', '/api/shifts/%s/notes' % sid, body, headers)
                    r = c.getresponse(); data = r.read()
                    with lock:
                        statuses[('write', r.status)] += 1
                        if r.status == 201:
                            acked[sid].append((time.monotonic(), json.loads(data)['id']))
                else:
                    sent = time.monotonic()
                    with lock:
                        must = {sh: [n for t, n in acked[sh] if t < sent] for _, _, sh in shifts}
                    c.request('GET', '/api/homes/%s/shifts?from=%s&to=%s' % (home, day, day), headers=headers)
                    r = c.getresponse(); data = r.read()
                    with lock:
                        statuses[('read', r.status)] += 1
                        counts[r.getheader('X-Cache')] += 1
                    if r.status == 200:
                        seen = {}
                        for s in json.loads(data)['shifts']:
                            seen[str(s['id'])] = {n['id'] for n in s['notes']}
                        for sh in seen:
                            missing = [n for n in must.get(sh, []) if n not in seen[sh]]
                            if missing:
                                with lock:
                                    stale.append((servers[i], sh, missing[:5]))
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    statuses[('error', type(e).__name__)] += 1
                conns.pop(i, None)
                time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(a.threads)]
    for t in threads: t.start()
    for t in threads: t.join()
    ids = sorted(n for v in acked.values() for _, n in v)
    with open(a.ids_file, 'w') as f:
        f.write('\n'.join(map(str, ids)))
    result = {
        'requests': sum(v for k, v in statuses.items() if k[0] != 'error'),
        'by_status': {'%s %s' % k: v for k, v in sorted(statuses.items(), key=str)},
        'x_cache': dict(counts),
        'acknowledged_writes': len(ids),
        'stale_reads': len(stale),
        'stale_examples': stale[:5],
    }
    print(json.dumps(result, indent=1))
    return 0

if __name__ == '__main__':
    sys.exit(main())

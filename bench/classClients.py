# A class of students for the classroom bench (bench/classroom.ts): CLIENTS threads of Python's ftplib against a
# watched FTP Lab server, SESSIONS sessions in all over SECONDS, each student starting a session every
# CLIENTS * SECONDS / SESSIONS seconds: log in (every ninth as student with a wrong password: 530), LIST,
# STOR 1 KiB, RETR it back, RETR a file that is not there (550), QUIT. One more student keeps one session open
# the whole time (logged in as student, a LIST every half second): the one the teacher follows live.
# Prints one JSON line at the end.
# Usage: python3 classClients.py PORT CLIENTS SESSIONS SECONDS
import ftplib, io, json, sys, threading, time

port, clients, sessions, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
every = clients * seconds / sessions
lock = threading.Lock()
done = {'ok': 0, 'refused': 0, 'failed': 0, 'errors': []}
started = time.monotonic()


def one(n):
    f = ftplib.FTP()
    f.connect('127.0.0.1', port, timeout=30)
    try:
        if n % 9 == 4:
            f.login('student', 'wrong')
        else:
            f.login('anonymous', 'class@example.org')
    except ftplib.error_perm:
        f.close()
        return 'refused'
    f.retrlines('LIST', lambda line: None)
    name = 'work-%d.txt' % n
    f.storbinary('STOR ' + name, io.BytesIO(b'x' * 1024))
    f.retrbinary('RETR ' + name, lambda block: None)
    try:
        f.retrbinary('RETR not-there.txt', lambda block: None)
    except ftplib.error_perm:
        pass
    f.quit()
    return 'ok'


def student(i):
    k = 0
    while True:
        n = k * clients + i
        if n >= sessions:
            return
        # Students start at different moments, then keep their pace.
        due = started + (i / clients + k) * every
        time.sleep(max(0.0, due - time.monotonic()))
        try:
            outcome = one(n)
        except Exception as e:  # noqa: BLE001 - counted and reported, the class goes on
            outcome = 'failed'
            with lock:
                if len(done['errors']) < 5:
                    done['errors'].append(repr(e))
        with lock:
            done[outcome] += 1
        k += 1


finished = threading.Event()


def followed_student():
    f = ftplib.FTP()
    f.connect('127.0.0.1', port, timeout=30)
    f.login('student', 'ftp-lab')
    while not finished.wait(0.5):
        f.retrlines('LIST', lambda line: None)
    f.quit()


threads = [threading.Thread(target=student, args=(i,)) for i in range(clients)]
slow = threading.Thread(target=followed_student)
slow.start()
for t in threads:
    t.start()
for t in threads:
    t.join()
finished.set()
slow.join()
done['seconds'] = round(time.monotonic() - started, 1)
print(json.dumps(done), flush=True)

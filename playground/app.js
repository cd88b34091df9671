// The playground: the package's own modules in the browser. Load an example
// or a dropped object, see its programs, maps and verifier verdict, run a
// scenario in `tsbpf run` syntax on the virtual clock, see the output, the
// maps decoded by BTF and the timer timeline.
import { Runtime, renderTimelineSvg } from '../dist/src/index.js';
import { parseSteps } from '../dist/src/cli/steps.js';
import { executeSteps } from '../dist/src/cli/scenario.js';

const $ = (id) => document.getElementById(id);
let current = null; // { name, bytes }

const json = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x), 2);
const setStatus = (t, err = false) => { $('status').textContent = t; $('status').className = err ? 'err' : ''; };

/** Loads the bytes into a fresh runtime: the inventory and the verifier verdict. */
async function inspect(name, bytes) {
  current = { name, bytes };
  const rt = new Runtime();
  $('progs').innerHTML = '';
  $('maps').innerHTML = '';
  try {
    const obj = rt.loadObjectBytes(bytes, { name });
    $('progs').innerHTML = '<tr><th>name</th><th>type</th><th>insns</th></tr>' + obj.programNames().map((p) => {
      const h = obj.program(p);
      return `<tr><td>${p}</td><td>${h.typeName}</td><td>${h.insns.length}</td></tr>`;
    }).join('');
    $('maps').innerHTML = '<tr><th>name</th><th>type</th><th>key</th><th>value</th><th>max</th></tr>' + obj.mapNames().map((m) => {
      const h = obj.map(m);
      return `<tr><td>${m}</td><td>${h.typeName}</td><td>${h.keySize}</td><td>${h.valueSize}</td><td>${h.maxEntries}</td></tr>`;
    }).join('');
    $('vlog').textContent = `every program verified: ${obj.programNames().join(', ')}`;
    $('vlog').className = '';
    obj.close();
    setStatus(`${name}: loaded`);
  } catch (e) {
    $('vlog').textContent = (e.log ? `${e.log}\n` : '') + String(e.message ?? e);
    $('vlog').className = 'err';
    setStatus(`${name}: ${e.name ?? 'error'}`, true);
  }
}

/** Runs the scenario in a fresh runtime, as `tsbpf run OBJ STEPS` does. */
async function runScenario() {
  if (!current) { setStatus('load an object first', true); return; }
  const lines = [];
  $('out').textContent = '';
  $('dumps').textContent = '';
  $('timeline').innerHTML = '';
  let steps;
  try {
    steps = parseSteps($('steps').value.trim().split(/\s+/).filter(Boolean));
  } catch (e) {
    $('out').textContent = e.message;
    $('out').className = 'err';
    return;
  }
  $('out').className = '';
  const rt = new Runtime();
  const rec = rt.recordTimers();
  let obj;
  try {
    obj = rt.loadObjectBytes(current.bytes, { name: current.name });
  } catch (e) {
    $('out').textContent = `load=failed\n${e.message}`;
    $('out').className = 'err';
    return;
  }
  lines.push('load=ok');
  try {
    await executeSteps(rt, obj, steps, {
      record: (line) => lines.push(line),
      dump: (ls) => lines.push(...ls),
      warn: (m) => lines.push(`warning: ${m}`),
    });
  } catch (e) {
    lines.push(`error: ${e.message}`);
  }
  $('out').textContent = lines.join('\n');
  const dumps = {};
  for (const m of obj.mapNames()) {
    try { dumps[m] = obj.map(m).entries(); } catch (e) { dumps[m] = `(${e.message})`; }
  }
  $('dumps').textContent = json(dumps);
  rec.stop();
  obj.close();
  $('timeline').innerHTML = renderTimelineSvg(rec.events, { title: `${current.name}: ${rec.events.length} events`, width: 900 });
  window.playgroundResult = { lines, events: rec.events.length };
  setStatus(`${current.name}: ran ${steps.length} steps`);
}

$('example').addEventListener('change', async () => {
  const ex = $('example').value;
  if (!ex) return;
  const stepsFile = { ratelimit: 'ratelimit.burst', flowtable: 'flowtable.expire', healthcheck: 'healthcheck.timeout' }[ex];
  const [bytes, steps] = await Promise.all([
    fetch(`../examples/${ex}/${ex}.bpf.o`).then((r) => r.arrayBuffer()),
    fetch(`../examples/${ex}/${stepsFile}.steps`).then((r) => r.text()),
  ]);
  $('steps').value = steps.trim();
  await inspect(`${ex}.bpf.o`, new Uint8Array(bytes));
});

const loadFile = async (f) => inspect(f.name, new Uint8Array(await f.arrayBuffer()));
$('file').addEventListener('change', () => { if ($('file').files[0]) loadFile($('file').files[0]); });
$('drop').addEventListener('dragover', (e) => { e.preventDefault(); $('drop').classList.add('over'); });
$('drop').addEventListener('dragleave', () => $('drop').classList.remove('over'));
$('drop').addEventListener('drop', (e) => {
  e.preventDefault();
  $('drop').classList.remove('over');
  if (e.dataTransfer.files[0]) loadFile(e.dataTransfer.files[0]);
});
$('run').addEventListener('click', () => { runScenario(); });
window.playgroundReady = true;

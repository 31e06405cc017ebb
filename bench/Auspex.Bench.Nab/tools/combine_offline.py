# Offline ensemble rules for NAB (h-nab3, issue 6): combines, row by row, the results CSVs of ensemble-weekly (E)
# and one ARTime variant (A) from one harness run folder, writes the combined results and scores them with the
# reference scorer on the chosen halves. Usage (repo root):
#   NAB_RESULTS=/tmp/hnab3/r4 python3 bench/Auspex.Bench.Nab/tools/combine_offline.py dev[,holdout,all] <A folder name> [rule,rule,...]
# NAB_RESULTS must hold ensemble-weekly/, the A folder and _labels/ (written by the harness with --files all).
import csv, os, sys, subprocess, json, re
R=os.environ.get('NAB_RESULTS','/tmp/hnab3/r4'); OUT=os.environ.get('NAB_COMBO_OUT','/tmp/hnab3/combo/out'); DATA=os.environ.get('NAB_DATA','../shared/data/nab')
labels={'dev':R+'/_labels/dev_windows.json','holdout':R+'/_labels/holdout_windows.json','all':None}
def load(det):
    d={}
    for root,_,files in os.walk(os.path.join(R,det)):
        for f in files:
            if not f.endswith('.csv'): continue
            p=os.path.join(root,f); rel=os.path.relpath(p,os.path.join(R,det))
            rows=list(csv.reader(open(p)))
            d[rel]=(rows[0],rows[1:])
    return d
E=load(os.environ.get('NAB_E','ensemble-weekly')); A=load(sys.argv[2] if len(sys.argv)>2 else 'artime')
def combos():
    yield 'max', lambda e,a,ctx: max(e,a)
    yield 'mean', lambda e,a,ctx: (e+a)/2
    for W in (0,7,35):
        for f in (0.5,0.8):
            yield f'gateE_W{W}_f{f}', (lambda W,f: lambda e,a,ctx: e if ctx['lastA']>=0 and ctx['i']-ctx['lastA']<=W else e*f)(W,f)
    for f in (0.5,0.6,0.7,0.8,0.9):
        yield f'max_Ascaled{f}', (lambda f: lambda e,a,ctx: max(e,a*f))(f)
    # round 2 (h-nab4): A = artime:nab is the stronger member; scale or gate E instead
    for f in (0.5,0.6,0.7,0.8,0.9):
        yield f'max_Escaled{f}', (lambda f: lambda e,a,ctx: max(a,e*f))(f)
    for f in (0.6,0.7,0.8):
        yield f'wmeanA{f}', (lambda f: lambda e,a,ctx: f*a+(1-f)*e)(f)
    for W in (7,35):
        for f in (0.5,0.8):
            yield f'maxA_gateE_W{W}_f{f}', (lambda W,f: lambda e,a,ctx: max(a, e if ctx['lastA']>=0 and ctx['i']-ctx['lastA']<=W else e*f))(W,f)
    # E only where it makes a new peak over its previous R rows (a causal, label-free refractory), then max with w*E
    def peak(e,ctx,R):
        h=ctx['eh'][-R-1:-1]
        return e if not h or e>max(h) else 0.0
    # A kept whole where E also rose to 0.5 within the last W rows, else scaled by f (E confirms A)
    for W in (7,35):
        for f in (0.5,0.8):
            yield f'gateA_W{W}_f{f}', (lambda W,f: lambda e,a,ctx: a if max(ctx['eh'][-W-1:])>=0.5 else a*f)(W,f)
    for R in (10,50,200):
        yield f'peakEonly_R{R}', (lambda R: lambda e,a,ctx: peak(e,ctx,R))(R)
        for f in (0.8,1.0):
            yield f'maxA_peakE_R{R}_w{f}', (lambda R,f: lambda e,a,ctx: max(a, f*peak(e,ctx,R)))(R,f)
def run(name,fn,parts):
    out=os.path.join(OUT,name)
    for rel,(hdr,erows) in E.items():
        arows=A[rel][1]
        lastA=-1; eh=[]
        o=os.path.join(out,rel); os.makedirs(os.path.dirname(o),exist_ok=True)
        with open(o,'w',newline='') as fh:
            w=csv.writer(fh); w.writerow(hdr)
            for i,(er,ar) in enumerate(zip(erows,arows)):
                e=float(er[2]); a=float(ar[2])
                if a>0: lastA=i
                eh.append(e)
                s=fn(e,a,{'lastA':lastA,'i':i,'eh':eh})
                w.writerow([er[0],er[1],repr(min(1.0,max(0.0,s)))])
    res=[]
    for part in parts:
        for thr in (None,0.5):
            cmd=['python3',os.environ.get('NAB_SCORER','../shared/tools/nab_score.py'),'--data',DATA,'--results',out,'--profile','standard']
            if labels[part]: cmd+=['--labels',labels[part]]
            if thr is not None: cmd+=['--threshold',str(thr)]
            t=subprocess.run(cmd,capture_output=True,text=True).stdout
            row=[l.split() for l in t.splitlines() if l.startswith('standard')]
            res.append(f"{part}{'@0.5' if thr else ' sweep'} {row[0][3] if row else '?'}")
    print(name,' | '.join(res),flush=True)
parts=sys.argv[1].split(',')
only=sys.argv[3].split(',') if len(sys.argv)>3 else None
for name,fn in combos():
    if only and name not in only: continue
    run(name,fn,parts)

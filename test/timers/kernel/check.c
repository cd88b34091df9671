// User-space half of timer_semantics.bpf.c: sets the absolute expiries, runs the
// syscall program once with BPF_PROG_TEST_RUN, waits 300 ms, prints the results.
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "t.skel.h"
static unsigned long long ns(clockid_t c){struct timespec ts;clock_gettime(c,&ts);return ts.tv_sec*1000000000ULL+ts.tv_nsec;}
int main(){
 struct t *s = t__open_and_load(); if(!s){perror("load");return 1;}
 s->bss->rt_abs = ns(CLOCK_REALTIME) + 20000000ULL;
 s->bss->mono_abs = ns(CLOCK_MONOTONIC) + 20000000ULL;
 LIBBPF_OPTS(bpf_test_run_opts, o);
 int err = bpf_prog_test_run_opts(bpf_program__fd(s->progs.test1), &o);
 printf("run err=%d retval=%d\n", err, o.retval);
 usleep(300000);
#define P(x) printf(#x "=%d\n", s->bss->x)
 P(r_init_bad);P(r_init_bad2);P(r_init);P(r_init_busy);P(r_start_badflags);P(r_set);P(r_start);P(r_cancel);P(r_start2);P(r_cancel2);P(r_set2);P(r_start3);P(r_deadlk);P(fired0);P(r_rt1);P(r_rt2);P(fired_rt_realabs);P(fired_rt_monoabs);
 return 0;}

using Auspex.Orchestration.Execution;

namespace Auspex.Orchestration.Tests.Plans;

/// <summary>What the fault-injecting executor does on one call.</summary>
internal enum Fault
{
    None,
    /// <summary>Report a failure without changing anything.</summary>
    Fail,
    /// <summary>Throw an exception without changing anything.</summary>
    Throw,
    /// <summary>Never return until cancelled (the runner's step timeout).</summary>
    Hang,
    /// <summary>Apply the change, then "kill the process": cancel the run's token and throw before the runner can record the outcome.</summary>
    CrashAfterApply,
}

/// <summary>
/// Wraps the simulated executor and injects faults on chosen real (non-dry-run) calls. Counts the changes the inner
/// executor really made, so tests can prove nothing was done twice.
/// </summary>
internal sealed class FaultyExecutor(SimulatedExecutor inner, Func<ExecutionStep, int, Fault> faults, CancellationTokenSource? process = null) : IExecutor
{
    private readonly Dictionary<ExecutionStep, int> _calls = [];

    public string Name => "faulty-simulated";

    public int Calls(ExecutionStep step) => _calls.GetValueOrDefault(step);

    public async Task<StepResult> ExecuteAsync(ExecutionStep step, bool dryRun, CancellationToken cancellationToken = default)
    {
        if (dryRun)
        {
            return await inner.ExecuteAsync(step, true, cancellationToken);
        }
        var n = _calls[step] = _calls.GetValueOrDefault(step) + 1;
        switch (faults(step, n))
        {
            case Fault.Fail:
                return new StepResult(StepStatus.Failed, $"injected failure on call {n}");
            case Fault.Throw:
                throw new InvalidOperationException($"injected exception on call {n}");
            case Fault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new InvalidOperationException("unreachable");
            case Fault.CrashAfterApply:
                await inner.ExecuteAsync(step, false, CancellationToken.None);
                await process!.CancelAsync();
                throw new OperationCanceledException("injected crash after the change was made", process.Token);
            default:
                return await inner.ExecuteAsync(step, false, cancellationToken);
        }
    }
}

namespace Auspex.Bench.Scoring;

internal static class SpeedBench
{
    public static void Run(int localities) => Console.WriteLine($"speed bench: {localities} (not yet)");
}

using System.CommandLine;
using Auspex.Cli.Commands;

var root = new RootCommand("Auspex: predictive infrastructure management — forecast, score, place and scale ahead of load.")
{
    DemoCommand.Create(),
    ServeCommand.Create(),
    ImportCommand.Create(),
    ForecastCommand.Create(),
    DetectCommand.Create(),
    ScoreCommand.Create(),
    PlaceCommand.Create(),
    PlanCommand.Create(),
    SimulateCommand.Create(),
    WhatIfCommand.Create(),
    ScaleCommand.Create(),
    ApplyCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

# The same structure as sim.toml, as a PowerShell data file. Key names match ignoring case and '_'.
@{
    Device  = @{ Port = 'sim'; Firmware = 'Text' }
    Sampler = @{ Duration = 1; SuppressThreshold = 1000; MaxRetry = 3; SettleTime = 0 }
    Sensors = @{
        ch1 = @{ Id = 1; Label = 'top'; Center = 280; NSteps = 10; StepSize = 5 }
        ch2 = @{ Id = 2; Label = 'mid'; Center = 300; NSteps = 10; StepSize = 5 }
        ch3 = @{ Id = 3; Label = 'btm'; Center = 260; NSteps = 10; StepSize = 5 }
    }
}

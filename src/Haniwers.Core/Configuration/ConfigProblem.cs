namespace Haniwers.Configuration
{
    /// <summary>Kinds of configuration problem. Each name is the ErrorId the cmdlets report.</summary>
    public enum ConfigProblemKind
    {
        InvalidValue,
        DuplicateKey,
        MissingChannel,
        DuplicateChannel,
        UnknownChannel,
        CenterOutOfRange,
        StartThresholdOutOfRange,
        NStepsTooSmall,
        NStepsTooLarge,
        NumStepsTooSmall,
        NumStepsTooLarge,
        StepSizeTooSmall,
        StepSizeTooLarge,
        MissingStepSize,
        AmbiguousRange,
        MissingRange,
        EmptyRange,
        DurationNotPositive,
        DurationTooShort,
        DurationTooLong,
        ThresholdOutOfRange,
        MaxRetryTooSmall,
        MaxRetryTooLarge,
        SuppressThresholdOutOfRange,
        UnsupportedBaudRate,
        UnknownFirmware,
        SettleTimeNegative,
        SettleTimeTooLong,
        ResponseTimeoutNotPositive,
        ResponseTimeoutTooLong,
        RetryBackoffNegative,
        MaxConsecutiveFailuresTooSmall,
        ReconnectTimeoutOutOfRange,
        MaxMalformedFractionOutOfRange,
        UnequalStepCounts,
        TooFewGridValues,
        UnknownDaqMode,
        EventsPerFileTooSmall,
        NumberOfFilesNegative,
        InvalidFileName,
    }

    /// <summary>One problem in a configuration: where it is, what is wrong, and what would fix it.</summary>
    public sealed class ConfigProblem
    {
        public ConfigProblem(ConfigProblemKind kind, int? channel, string key, object? value, string message, string fix)
        {
            Kind = kind;
            Channel = channel;
            Key = key;
            Value = value;
            Message = message;
            Fix = fix;
        }

        public ConfigProblemKind Kind { get; }
        /// <summary>The channel concerned, or null for [device] / [sampler] keys.</summary>
        public int? Channel { get; }
        /// <summary>The key as written in config.toml, with its table: sensors.ch1.center, sampler.duration.</summary>
        public string Key { get; }
        public object? Value { get; }
        public string Message { get; }
        public string Fix { get; }

        public override string ToString() => $"{Key}: {Message} Fix: {Fix}";
    }
}
